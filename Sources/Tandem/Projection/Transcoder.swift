import TandemProto

/// A plan's projection compiled to run on v2 payload bytes: it writes the canonical v1 bytes of the projected record
/// straight from the v2 bytes, without building either message (DESIGN 8: the streaming v2 -> v1 transcoder).
///
/// Scalars, enums, strings and bytes, timestamps converted to integers, unwrapped wrappers, sub-messages projected
/// by name (copied whole or with fields picked, singular or repeated) and maps are transcoded directly, at any
/// depth. What is left (named converts, `to_string` and byte conversions of messages, recursive message types, map
/// entries of unusual shape) is projected through ``Projection`` from a message decoded from that field's
/// occurrences alone: the general path (``generalEntries`` names the whitelist entries that take it). The output is, byte
/// for byte, the canonical encoding of ``Projection/project(_:)`` applied to the decoded payload. A payload the
/// transcoder cannot vouch for gets `nil` and the caller takes the message path: one that does not decode or that
/// ``WireValidator`` declines, and one with a value the v1 shape cannot represent.
///
/// Payloads as encoders write them take the ``SinglePass``, which reads each byte once; the two passes (the
/// validator's scan, then a look-up of each entry's occurrences) decide every other payload.
final class Transcoder: Sendable {
    /// A transcoded record.
    struct Output {
        /// The canonical v1 bytes of the projected record.
        let bytes: [UInt8]
        /// The unknown fields the decoded v2 record keeps, at every level.
        let unknownFields: Int
    }

    /// How one whitelist entry, sub-message field or map entry field is transcoded.
    enum Kind: UInt8, Sendable {
        /// An integer to an integer field, narrowed only when the value fits.
        case integer
        /// A bool, float or double to a field of the same type: the value as it is.
        case same
        /// An enum to an enum, through the entry's table of declared v2 values (others through ``scalar``).
        case enumTable
        /// Any other varint or fixed-width value, through ``Projection/convertValue``.
        case scalar
        /// String to string or bytes to bytes, copied.
        case copy
        /// google.protobuf.Timestamp to integer milliseconds.
        case timestampMillis
        /// google.protobuf.Timestamp to integer seconds.
        case timestampSeconds
        /// A singular sub-message projected by field name, through the entry's ``Entry/child`` program.
        case message
        /// A repeated sub-message, each element through the entry's program.
        case repeatedMessage
        /// A map, each entry through the entry's program (its key, then its value).
        case map
        /// A wrapper message to its value (`unwrap`), through the entry's program (the wrapped field).
        case unwrap
        /// Through ``Projection``, from a message of the entry's container type holding the field's occurrences.
        case general
    }

    /// One compiled field, in plain values (copying it retains nothing).
    struct Entry: Sendable {
        /// The entry's position in ``entries`` and in the per-entry arrays.
        var slot = 0
        /// A whitelist entry's index in ``MigrationPlan/resolved``; -1 for a field of a program.
        var index = -1
        /// Where the v2 field numbers of the messages along the source path start in ``paths``, and how many.
        var pathStart = 0
        var pathCount = 0
        var sourceNumber: Int32 = 0
        var sourceType: FieldType = .int32
        var sourceHasPresence = false
        var sourceIsRepeated = false
        /// A proto2 string copied as a string: its bytes must be checked (when not UTF-8 it decodes as bytes).
        var sourceChecksUTF8 = false
        /// The source's closed enum, as a slot of the validator's (``WireValidator/closedEnumSlot(ofField:in:)``);
        /// -1 for none.
        var closedEnum: Int32 = -1
        var v1Number: Int32 = 0
        var v1Type: FieldType = .int32
        var v1HasPresence = false
        var v1IsPacked = false
        /// An implicit-presence source feeding an explicit-presence v1 field: the source at its zero is unset, and so
        /// is the v1 field (DESIGN 4: two unset fields agree whatever defaults their schemas declare).
        var zeroSourceIsUnset = false
        /// The v1 field's real oneof; -1 for none.
        var v1Oneof = -1
        /// The program of a ``Kind/message``, ``Kind/repeatedMessage``, ``Kind/map`` or ``Kind/unwrap`` entry, as
        /// an index into ``programs``; -1 for none.
        var child = -1
        var kind: Kind = .general
    }

    /// The projection the transcoder follows.
    let projection: Projection
    /// Every compiled field: the whitelist entries first (``topLevelCount`` of them, in the v1 message's field
    /// order, the order of the canonical encoding), then the fields of every program.
    let entries: [Entry]
    /// How many of ``entries`` are whitelist entries.
    let topLevelCount: Int
    /// The slots of each program's fields in ``entries``, in the order they are written.
    let programs: [Range<Int>]
    /// Per program: whether several occurrences of its message may be read as one (see ``Containers/nested``).
    let programsMerge: [Bool]
    /// The source path numbers of every entry (see ``Entry/pathStart``).
    let paths: [Int32]
    /// Per entry of ``paths``: whether several occurrences of the message the step leads to may be read as one.
    let pathsMerge: [Bool]
    /// Per entry: the v1 number of each declared v2 enum number (by number; `Int64.min` where the message path
    /// decides), for ``Kind/enumTable``.
    let enumTables: [[Int64]]
    /// Per entry: the value an absent implicit-presence source reads as.
    let zeros: [ProtoValue?]
    /// Per entry: the descriptors and convert, for ``Kind/scalar`` and ``Kind/general``.
    let sources: [FieldDescriptor]
    let v1Fields: [FieldDescriptor]
    let converts: [FieldConvert?]
    /// Per entry: the v2 message holding the source (for ``Kind/general``).
    let containerTypes: [MessageDescriptor]
    let validator: WireValidator
    let v2Message: MessageDescriptor
    let v2Schema: Schema
    /// The v1 names of the whitelist entries that take the general path: what a benchmark watches so that a
    /// regression shows.
    let generalEntries: [String]

    /// The single pass, when the plan's shape allows one (see ``SinglePass``).
    let singlePass: SinglePass?

    /// Compiles the projection; `nil` when its plan has a shape the transcoder leaves to the message path (a source
    /// path through a repeated or group field, a message with more than 64 oneofs).
    convenience init?(projection: Projection) {
        guard let compiler = Compiler(projection: projection) else { return nil }
        // The single pass is compiled with the help of the two-pass transcoder (which entries write nothing when
        // their field is absent).
        let twoPass = Transcoder(projection: projection, compiler: compiler, singlePass: nil)
        self.init(projection: projection, compiler: compiler, singlePass: SinglePass(compiling: twoPass))
    }

    private init(projection: Projection, compiler: Compiler, singlePass: SinglePass?) {
        self.singlePass = singlePass
        self.projection = projection
        self.entries = compiler.compiled.map(\.entry)
        self.topLevelCount = compiler.topLevelCount
        self.programs = compiler.programs.map { $0 ?? 0..<0 }
        self.paths = compiler.paths
        self.programsMerge = compiler.programsMerge
        self.pathsMerge = compiler.pathsMerge
        self.enumTables = compiler.compiled.map(\.table)
        self.zeros = compiler.compiled.map { ProtoValue.zero(of: $0.source, schema: projection.plan.v2.schema) }
        self.sources = compiler.compiled.map(\.source)
        self.v1Fields = compiler.compiled.map(\.v1Field)
        self.converts = compiler.compiled.map(\.convert)
        self.containerTypes = compiler.compiled.map(\.container)
        self.validator = compiler.validator
        self.v2Message = projection.plan.v2Message
        self.v2Schema = projection.plan.v2.schema
        self.generalEntries = compiler.compiled[0..<compiler.topLevelCount].filter { $0.entry.kind == .general }.map {
            $0.v1Field.name
        }
    }

    /// The projected record of `bytes` (a v2 payload) in canonical v1 bytes, or `nil` when the message path must
    /// decide (see the type's description).
    func transcode(_ bytes: [UInt8], options: WireDecodingOptions = .init()) -> Output? {
        var scratch = Scratch()
        guard let unknownFields = transcode(bytes, options: options, reusing: &scratch) else { return nil }
        return Output(bytes: scratch.bytes, unknownFields: unknownFields)
    }

    /// The projected record of `bytes` (see ``transcode(_:options:)``), written to `scratch` (its memory reused from
    /// one record to the next: ``Scratch/withBytes(_:)``); returns the unknown fields the decoded v2 record keeps, or `nil` when the
    /// message path must decide.
    func transcode(_ bytes: [UInt8], options: WireDecodingOptions = .init(), reusing scratch: inout Scratch) -> Int? {
        bytes.withUnsafeBytes { buffer -> Int? in
            if let singlePass,
                let unknownFields = transcodeInOnePass(buffer, singlePass, options: options, scratch: &scratch)
            {
                return unknownFields
            }
            guard let output = transcodeInTwoPasses(buffer, options: options) else { return nil }
            scratch.twoPassBytes = output.bytes
            scratch.lastFromTwoPasses = true
            return output.unknownFields
        }
    }

    /// The validator's pass over the whole payload, then one look-up of each whitelist entry's occurrences: what
    /// decides every payload the single pass leaves.
    func transcodeInTwoPasses(_ buffer: UnsafeRawBufferPointer, options: WireDecodingOptions) -> Output? {
        var occurrences: [WireOccurrence] = []
        occurrences.reserveCapacity(32)
        guard
            let unknown = validator.unknownFieldCount(
                of: buffer, as: v2Message, options: options, recording: &occurrences)
        else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(buffer.count)
        let written = occurrences.withUnsafeBufferPointer { occurrences -> Bool in
            let payload = Payload(
                buffer: buffer, occurrences: occurrences, occurrencesSorted: Self.isSortedByNumber(occurrences))
            // The v1 oneofs set so far: a second member set would clear the first, which the message path decides.
            var oneofsSet: UInt64 = 0
            do {
                for slot in 0..<topLevelCount {
                    let entry = entries[slot]
                    let start = out.count
                    guard try emit(entry, payload: payload, options: options, into: &out) else { return false }
                    if entry.v1Oneof >= 0 && out.count > start {
                        guard oneofsSet & (1 << entry.v1Oneof) == 0 else { return false }
                        oneofsSet |= 1 << entry.v1Oneof
                    }
                }
            } catch {
                return false
            }
            return true
        }
        guard written else { return nil }
        return Output(bytes: out, unknownFields: unknown)
    }

    // MARK: Payloads

    /// The payload being transcoded: its bytes and its top-level field occurrences, in order.
    struct Payload {
        let buffer: UnsafeRawBufferPointer
        let occurrences: UnsafeBufferPointer<WireOccurrence>
        /// Whether ``occurrences`` come in field-number order (as encoders write them): a field's occurrences are
        /// then found by binary search rather than by a look at every occurrence.
        let occurrencesSorted: Bool
    }

    /// The messages holding an entry's source: the top-level message, or the occurrences of the last message along
    /// the source path (none when some message along it is absent; several are merged, as decoding merges them,
    /// which reading their fields in turn reproduces only for a message without a real oneof: a later member clears
    /// an earlier one, so such merges are declined).
    enum Containers {
        case top
        case one(Range<Int>)
        case nested([Range<Int>])
        /// One message whose field occurrences were recorded, in order (the memory lives while its fields are
        /// written: see ``Transcoder/emitProgram(_:containers:payload:options:into:)``), and whether they come in
        /// field-number order.
        case recorded(UnsafeBufferPointer<WireOccurrence>, sorted: Bool)

        /// Whether every message along the source path is present.
        var arePresent: Bool {
            if case .nested(let ranges) = self { return !ranges.isEmpty }
            return true
        }
    }

    /// The occurrences of a length-delimited field gathered as containers: none, one, or several to merge.
    struct Gathered {
        private var first: Range<Int>? = nil
        private var more: [Range<Int>] = []

        mutating func append(_ range: Range<Int>) {
            if let first, more.isEmpty { more.append(first) }
            if first == nil { first = range } else { more.append(range) }
        }

        /// The gathered occurrences, `nil` when there were none.
        var containers: Containers? {
            guard let first else { return nil }
            return more.isEmpty ? .one(first) : .nested(more)
        }
    }

    /// Calls `body` at each occurrence of field `number` in `containers`, in order, with the reader just past the
    /// tag and the tag's offset; `body` reads the value and returns `true`, or returns `false` to have it skipped.
    @inline(__always)
    static func forEachOccurrence(
        of number: Int32, in containers: Containers, payload: Payload,
        _ body: (WireType, inout WireReader, Int) throws(WireDecodingError) -> Bool
    ) throws(WireDecodingError) {
        switch containers {
        case .top:
            // The validator recorded the top-level occurrences: no tag is read twice.
            try forEachOccurrence(
                of: number, in: payload.occurrences, sorted: payload.occurrencesSorted, payload: payload, body)
        case .recorded(let occurrences, let sorted):
            try forEachOccurrence(of: number, in: occurrences, sorted: sorted, payload: payload, body)
        case .one(let range):
            try forEachOccurrence(of: number, in: range, payload: payload, body)
        case .nested(let ranges):
            for range in ranges { try forEachOccurrence(of: number, in: range, payload: payload, body) }
        }
    }

    @inline(__always)
    private static func forEachOccurrence(
        of number: Int32, in occurrences: UnsafeBufferPointer<WireOccurrence>, sorted: Bool, payload: Payload,
        _ body: (WireType, inout WireReader, Int) throws(WireDecodingError) -> Bool
    ) throws(WireDecodingError) {
        let whole = payload.buffer.count
        var index = 0
        if sorted {
            // The first occurrence numbered `number` or above; those numbered `number` follow it, in wire order.
            var upper = occurrences.count
            while index < upper {
                let middle = (index &+ upper) >> 1
                if occurrences[middle].number < number { index = middle &+ 1 } else { upper = middle }
            }
        }
        while index < occurrences.count {
            let occurrence = occurrences[index]
            index &+= 1
            guard occurrence.number == number else {
                if sorted && occurrence.number > number { return }
                continue
            }
            var reader = WireReader(payload.buffer, range: occurrence.valueOffset..<whole)
            _ = try body(occurrence.wireType, &reader, occurrence.tagOffset)
        }
    }

    /// Whether `occurrences` come in field-number order (several of one number side by side).
    static func isSortedByNumber(_ occurrences: UnsafeBufferPointer<WireOccurrence>) -> Bool {
        var previous: Int32 = 0
        for occurrence in occurrences {
            if occurrence.number < previous { return false }
            previous = occurrence.number
        }
        return true
    }

    @inline(__always)
    private static func forEachOccurrence(
        of number: Int32, in range: Range<Int>, payload: Payload,
        _ body: (WireType, inout WireReader, Int) throws(WireDecodingError) -> Bool
    ) throws(WireDecodingError) {
        var reader = WireReader(payload.buffer, range: range)
        while let (fieldNumber, wireType) = try reader.nextTag() {
            let tagOffset = reader.tagOffset
            if fieldNumber == number, try body(wireType, &reader, tagOffset) { continue }
            try reader.skipField(wireType: wireType, fieldNumber: fieldNumber, maxDepth: 0)
        }
    }
}
