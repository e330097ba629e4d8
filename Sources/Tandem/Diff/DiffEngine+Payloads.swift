import Foundation
import TandemProto

extension DiffEngine {
    /// Compares one key's stored payloads: the shadow (v1 bytes) and the primary (v2 bytes).
    ///
    /// `nil` stands for a missing row. A key absent from both stores is not a comparison (`nil` result). A payload
    /// that does not decode is an `undecodable` diff at `$` carrying the error. When the projected primary's
    /// canonical bytes equal the shadow bytes, the pair matches without a field walk; those bytes are transcoded
    /// from the v2 payload without building a message whenever the plan and payload allow.
    public func compare(shadowPayload: [UInt8]?, primaryPayload: [UInt8]?, options: WireDecodingOptions = .init())
        -> Comparison?
    {
        var scratch = Transcoder.Scratch()
        return compare(
            shadowPayload: shadowPayload, primaryPayload: primaryPayload, options: options, scratch: &scratch)
    }

    /// Compares one key's stored payloads (see ``compare(shadowPayload:primaryPayload:options:)``), transcoding in
    /// `scratch`'s memory (one per thread, reused from one comparison to the next).
    func compare(
        shadowPayload: [UInt8]?, primaryPayload: [UInt8]?, options: WireDecodingOptions,
        scratch: inout Transcoder.Scratch
    ) -> Comparison? {
        switch (shadowPayload, primaryPayload) {
        case (nil, nil):
            return nil
        case (nil, .some):
            return Comparison(diffs: [FieldDiff(path: DiffPath.root, kind: .recordMissingInShadow)])
        case (.some, nil):
            return Comparison(diffs: [FieldDiff(path: DiffPath.root, kind: .recordMissingInPrimary)])
        case (let shadowBytes?, let primaryBytes?):
            // The transcoder writes the projection's bytes without building a message; only when they differ (or
            // it cannot vouch for the payload) are the messages decoded and walked.
            let transcodedUnknown = transcoder?.transcode(primaryBytes, options: options, reusing: &scratch)
            if let transcodedUnknown, scratch.withBytes({ Self.sameBytes($0, shadowBytes) }) {
                return Comparison(diffs: [], unknownFields: transcodedUnknown, usedFastPath: true)
            }
            let transcoded = transcodedUnknown.map { Transcoder.Output(bytes: scratch.bytes, unknownFields: $0) }
            let projected: ProjectedRecord
            let primaryUnknown: Int
            if let transcoded,
                let message = try? DynamicMessage(
                    decoding: transcoded.bytes, as: plan.v1Message, schema: plan.v1.schema, options: options)
            {
                // Transcoded bytes are a fully representable projection: decoding them gives the projected record
                // without decoding and projecting the v2 payload again.
                projected = ProjectedRecord(message: message)
                primaryUnknown = transcoded.unknownFields
            } else {
                let primary: DynamicMessage
                do {
                    primary = try DynamicMessage(
                        decoding: primaryBytes, as: plan.v2Message, schema: plan.v2.schema, options: options)
                } catch {
                    var diffs = [FieldDiff(path: DiffPath.root, kind: .undecodable, detail: "primary (v2): \(error)")]
                    if let shadowError = Self.decodingError(shadowBytes, plan.v1Message, plan.v1.schema, options) {
                        diffs.append(
                            FieldDiff(path: DiffPath.root, kind: .undecodable, detail: "shadow (v1): \(shadowError)"))
                    }
                    return Comparison(diffs: diffs)
                }
                projected = projection.project(primary)
                primaryUnknown = primary.unknownFieldCountIncludingSubmessages
                if projected.isFullyRepresentable && projected.message.serializedBytesEqual(to: shadowBytes) {
                    // The projection never carries unknown fields, so equal bytes mean the shadow has none either.
                    return Comparison(diffs: [], unknownFields: primaryUnknown, usedFastPath: true)
                }
            }
            let shadow: DynamicMessage
            do {
                shadow = try DynamicMessage(
                    decoding: shadowBytes, as: plan.v1Message, schema: plan.v1.schema, options: options)
            } catch {
                return Comparison(
                    diffs: [FieldDiff(path: DiffPath.root, kind: .undecodable, detail: "shadow (v1): \(error)")],
                    unknownFields: primaryUnknown)
            }
            return Comparison(
                diffs: diff(shadow: shadow, primary: projected),
                unknownFields: primaryUnknown + shadow.unknownFieldCountIncludingSubmessages)
        }
    }

    /// Whether two payloads hold the same bytes (one `memcmp`, not an element-by-element comparison).
    @inline(__always)
    static func sameBytes(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        a.withUnsafeBytes { sameBytes($0, b) }
    }

    static func sameBytes(_ a: UnsafeRawBufferPointer, _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        return b.withUnsafeBytes { b in
            guard let x = a.baseAddress, let y = b.baseAddress else { return true }
            return memcmp(x, y, a.count) == 0
        }
    }

    private static func decodingError(
        _ bytes: [UInt8], _ type: MessageDescriptor, _ schema: Schema, _ options: WireDecodingOptions
    ) -> WireDecodingError? {
        do {
            _ = try DynamicMessage(decoding: bytes, as: type, schema: schema, options: options)
            return nil
        } catch {
            return error
        }
    }
}
