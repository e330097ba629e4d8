import Benchmark
import Foundation

/// Where the repository is: the benchmarks read the example plans and the wire fixtures from it. Taken from the
/// path this file was compiled from (Benchmarks/Sources/BenchmarkSupport/), so the current directory of the
/// benchmark process does not matter.
public enum Repository {
    public static let root: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<4 { url.deleteLastPathComponent() }
        return url.path
    }()

    public static func path(_ relative: String) -> String { root + "/" + relative }
}

/// Custom metrics that carry ratios. package-benchmark's custom metrics are integers, so a ratio is reported in
/// percent of its baseline: 100 means as fast as (or as costly as) the baseline.
public enum Ratio {
    /// A cost ratio in percent (time of the measured code / time of the baseline): smaller is better.
    public static func cost(_ name: String) -> BenchmarkMetric {
        .custom(name, polarity: .prefersSmaller, useScalingFactor: false)
    }

    /// A speed ratio in percent (throughput of the measured code / throughput of the baseline): larger is better.
    public static func speed(_ name: String) -> BenchmarkMetric {
        .custom(name, polarity: .prefersLarger, useScalingFactor: false)
    }

    /// A plain value (nanoseconds, operations per second, counts) reported next to the ratios.
    public static func value(_ name: String, prefersLarger: Bool = false) -> BenchmarkMetric {
        .custom(name, polarity: prefersLarger ? .prefersLarger : .prefersSmaller, useScalingFactor: false)
    }

    /// `measured / baseline` in percent, rounded.
    public static func percent(_ measured: UInt64, of baseline: UInt64) -> Int {
        guard baseline > 0 else { return 0 }
        return Int((Double(measured) / Double(baseline) * 100).rounded())
    }
}

/// Monotonic nanoseconds (CLOCK_MONOTONIC through Dispatch: cheap enough to time single calls).
@inline(__always)
public func nowNanos() -> UInt64 { DispatchTime.now().uptimeNanoseconds }

/// Nanoseconds taken by `body`.
@inline(__always)
public func nanos(_ body: () throws -> Void) rethrows -> UInt64 {
    let start = nowNanos()
    try body()
    return nowNanos() - start
}

/// Nanoseconds taken by `body`.
@inline(__always)
public func asyncNanos(_ body: () async throws -> Void) async rethrows -> UInt64 {
    let start = nowNanos()
    try await body()
    return nowNanos() - start
}

/// The value at quantile `q` (0...1) of `samples` (nearest rank); sorts in place.
public func percentile(_ samples: inout [UInt64], _ q: Double) -> UInt64 {
    guard !samples.isEmpty else { return 0 }
    samples.sort()
    let rank = Int((q * Double(samples.count)).rounded(.up)) - 1
    return samples[min(max(rank, 0), samples.count - 1)]
}

/// A fresh directory for store files, on the same disk as /tmp (the stores' durability must be real: no tmpfs).
/// `TANDEM_BENCH_DIR` overrides the parent directory.
/// A new scratch directory for one benchmark's files. Flushes the system's dirty pages first (`sync`): a build or an
/// earlier benchmark leaves megabytes to write back, and that writeback, falling into the first measured blocks, made
/// the first run after a build read up to 0.1x lower on the store benchmarks.
public func makeScratchDirectory(_ label: String) -> String {
    sync()
    let parent = ProcessInfo.processInfo.environment["TANDEM_BENCH_DIR"] ?? NSTemporaryDirectory()
    let path = (parent as NSString).appendingPathComponent("tandem-bench-\(label)-\(UUID().uuidString)")
    try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

public func removeScratchDirectory(_ path: String) {
    try? FileManager.default.removeItem(atPath: path)
}

/// The user-profile record of the Engine benchmark as a service would store it: v2 (primary, 198 bytes) and v1
/// (shadow, 129 bytes), encoded by protoc's Python runtime from the same values.
public enum UserProfilePayloads {
    public static let primary: [UInt8] = decode([
        "Cgh1NDgyMTMzNxJQChlKdW5pcGVyIE9rb25rd28tTGluZHF2aXN0EjNodHRwczovL2Nkbi5leGFtcGxlLmNvbS9hdmF0YXJz",
        "L3U0ODIxMzM3LzVmMmM5YS5wbmcaDAjZgdiyBhCA66XDAiACKiVqdW5pcGVyLm9rb25rd28tbGluZHF2aXN0QGV4YW1wbGUu",
        "Y29tMJ6kqve3MjoEYmV0YToIZXUtbm9ydGg6B3ByZW1pdW06Cm5ld3NsZXR0ZXJCBW5iLU5P",
    ])
    public static let shadow: [UInt8] = decode([
        "Cgh1NDgyMTMzNxIZSnVuaXBlciBPa29ua3dvLUxpbmRxdmlzdBjOpM3/+zEgAiolanVuaXBlci5va29ua3dvLWxpbmRxdmlz",
        "dEBleGFtcGxlLmNvbTCepKr3tzI6BGJldGE6CGV1LW5vcnRoOgdwcmVtaXVtOgpuZXdzbGV0dGVy",
    ])

    private static func decode(_ parts: [String]) -> [UInt8] {
        guard let data = Data(base64Encoded: parts.joined()) else { fatalError("bad base64 payload") }
        return Array(data)
    }
}
