import Foundation

/// A sliding window of comparisons kept in a fixed ring of buckets: O(1) per comparison, O(buckets) memory.
///
/// Not thread-safe: owners keep it inside their `Mutex`.
struct ComparisonWindow: Sendable {
    /// Buckets of a count window (at most); a count window of N <= 100 is exact.
    static let countBuckets = 100
    /// Buckets of a time window.
    static let timeBuckets = 60

    private enum Kind: Sendable {
        case count(bucketSize: Int)
        case time(bucketWidth: Double)
    }

    private let kind: Kind
    private var compared: [Int]
    private var mismatched: [Int]
    /// The bucket being filled (count windows) or the slot of `latestEpoch` (time windows).
    private var current = 0
    /// Time windows: the bucket number (time / width) each slot holds, and the newest one seen.
    private var latestEpoch: Int64?
    private var sumCompared = 0
    private var sumMismatched = 0

    init(_ window: GateConfiguration.Window) {
        let buckets: Int
        switch window {
        case .count(let size):
            let size = max(size, 1)
            let bucketSize = (size + Self.countBuckets - 1) / Self.countBuckets
            // Whole buckets only, so that a full ring never holds more than N comparisons.
            buckets = max(size / bucketSize, 1)
            kind = .count(bucketSize: bucketSize)
        case .seconds(let seconds):
            buckets = Self.timeBuckets
            kind = .time(bucketWidth: max(seconds, .leastNormalMagnitude) / Double(Self.timeBuckets))
        }
        compared = Array(repeating: 0, count: buckets)
        mismatched = Array(repeating: 0, count: buckets)
    }

    /// Adds one comparison at time `now` (ignored by count windows).
    mutating func record(mismatch: Bool, at now: Date) {
        switch kind {
        case .count(let bucketSize):
            if compared[current] == bucketSize {
                current = (current + 1) % compared.count
                evict(current)
            }
        case .time:
            advance(to: now)
        }
        compared[current] += 1
        sumCompared += 1
        if mismatch {
            mismatched[current] += 1
            sumMismatched += 1
        }
    }

    /// The counts in the window at time `now`; time windows first drop the buckets that have expired.
    mutating func counts(at now: Date) -> ComparisonCounts {
        if case .time = kind { advance(to: now) }
        return ComparisonCounts(compared: sumCompared, mismatched: sumMismatched)
    }

    /// Empties the window.
    mutating func reset() {
        for slot in compared.indices { evict(slot) }
        current = 0
        latestEpoch = nil
    }

    private mutating func evict(_ slot: Int) {
        sumCompared -= compared[slot]
        sumMismatched -= mismatched[slot]
        compared[slot] = 0
        mismatched[slot] = 0
    }

    /// Moves a time window to the bucket holding `now`, clearing the buckets that fell out.
    private mutating func advance(to now: Date) {
        guard case .time(let width) = kind else { return }
        let seconds = now.timeIntervalSince1970 / width
        // A clock outside Int64's range cannot name a bucket; keep counting into the current one.
        guard seconds.isFinite, abs(seconds) < 9.0e18 else { return }
        let epoch = Int64(seconds.rounded(.down))
        let buckets = Int64(compared.count)
        guard let latest = latestEpoch else {
            latestEpoch = epoch
            current = Int(((epoch % buckets) + buckets) % buckets)
            return
        }
        // A timestamp older than the newest one seen counts in the current bucket: replayed traffic may be
        // slightly out of order, and the window only moves forward.
        guard epoch > latest else { return }
        let steps = min(epoch - latest, buckets)
        for step in 1...steps {
            evict(Int((((latest + step) % buckets) + buckets) % buckets))
        }
        latestEpoch = epoch
        current = Int(((epoch % buckets) + buckets) % buckets)
    }
}
