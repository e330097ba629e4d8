import TandemProto

extension Transcoder {
    /// Memory one transcoding after another reuses (one per thread): the output and the single pass's records.
    struct Scratch {
        /// Where the single pass writes a record's v1 bytes (made when it first runs).
        var memory: WireBuffer? = nil
        /// The two passes' bytes, when they wrote the last record.
        var twoPassBytes: [UInt8] = []
        var lastFromTwoPasses = false
        var run: [WireOccurrence] = []
        var top: [WireOccurrence] = []
        var mapItems: [PassMapItem] = []
        /// What the two-pass code writes for the single pass (a value of a converted type, a run of recorded
        /// occurrences), before it is copied to the output.
        var temp: [UInt8] = []

        /// Calls `body` with the last transcoded record's v1 bytes.
        func withBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
            if lastFromTwoPasses { return try twoPassBytes.withUnsafeBytes(body) }
            return try body(memory?.bytes ?? UnsafeRawBufferPointer(start: nil, count: 0))
        }

        /// The last transcoded record's v1 bytes, copied.
        var bytes: [UInt8] { withBytes { Array($0) } }
    }

    /// What one single-pass transcoding carries from message to message: the payload, the tables (borrowed for the
    /// transcoding, so that reading them retains nothing) and the scratch occurrences.
    struct PassState {
        let buffer: UnsafeRawBufferPointer
        let entries: UnsafeBufferPointer<Entry>
        let steps: UnsafeBufferPointer<SinglePass.Step>
        let programs: UnsafeBufferPointer<SinglePass.Program>
        let deferred: UnsafeBufferPointer<Int>
        let groups: UnsafeBufferPointer<SinglePass.DeferredGroup>
        let checks: UnsafeBufferPointer<SinglePass.Program>
        let options: WireDecodingOptions
        /// Messages may nest while their depth stays below this (the validator's limit).
        let maxDepth: Int
        /// The occurrences of the run of recorded fields being read (one run at a time: a run ends before a
        /// sub-message is read).
        var run: [WireOccurrence] = []
        /// The top-level occurrences, recorded when path entries read them after the pass.
        var top: [WireOccurrence] = []
        /// The entries of the maps being read (a map's from where its run started: a map value may hold maps).
        var mapItems: [PassMapItem] = []
        /// Bytes the two-pass code writes, copied to the output after.
        var temp: [UInt8] = []
    }

    /// The projected record of `buffer` in one pass (see ``SinglePass``); `nil` when the two passes must decide.
    func transcodeInOnePass(_ buffer: UnsafeRawBufferPointer, _ pass: SinglePass, options: WireDecodingOptions)
        -> Output?
    {
        var scratch = Scratch()
        guard let unknownFields = transcodeInOnePass(buffer, pass, options: options, scratch: &scratch) else {
            return nil
        }
        return Output(bytes: scratch.bytes, unknownFields: unknownFields)
    }

    /// The projected record of `buffer` in one pass, written to `scratch`'s memory; returns the unknown fields the
    /// decoded v2 record keeps, or `nil` when the two passes must decide.
    func transcodeInOnePass(
        _ buffer: UnsafeRawBufferPointer, _ pass: SinglePass, options: WireDecodingOptions, scratch: inout Scratch
    ) -> Int? {
        guard buffer.count <= options.maxSize, options.maxDepth >= 1 else { return nil }
        return entries.withUnsafeBufferPointer { entries in
            pass.steps.withUnsafeBufferPointer { steps in
                pass.programs.withUnsafeBufferPointer { programs in
                    pass.deferred.withUnsafeBufferPointer { deferred in
                        pass.deferredGroups.withUnsafeBufferPointer { groups in
                            pass.checks.withUnsafeBufferPointer { checks -> Int? in
                                var state = PassState(
                                    buffer: buffer, entries: entries, steps: steps, programs: programs,
                                    deferred: deferred, groups: groups, checks: checks, options: options,
                                    maxDepth: min(options.maxDepth, WireValidator.depthLimit))
                                let memory = scratch.memory ?? WireBuffer(capacity: buffer.count + 64)
                                scratch.memory = memory
                                scratch.lastFromTwoPasses = false
                                var out = WireOutput(memory)
                                // The scratch's memory, lent to this transcoding and handed back.
                                swap(&state.run, &scratch.run)
                                swap(&state.top, &scratch.top)
                                swap(&state.mapItems, &scratch.mapItems)
                                swap(&state.temp, &scratch.temp)
                                state.run.removeAll(keepingCapacity: true)
                                state.top.removeAll(keepingCapacity: true)
                                state.mapItems.removeAll(keepingCapacity: true)
                                let unknown = read(pass.top, in: 0..<buffer.count, depth: 1, state: &state, into: &out)
                                out.finish()
                                swap(&state.run, &scratch.run)
                                swap(&state.top, &scratch.top)
                                swap(&state.mapItems, &scratch.mapItems)
                                swap(&state.temp, &scratch.temp)
                                guard let unknown else { return nil }
                                return options.keepsUnknownFields ? unknown : 0
                            }
                        }
                    }
                }
            }
        }
    }

    /// The run of occurrences of one entry being read, finished when another entry's occurrence comes or the
    /// message ends.
    enum PassRun {
        case none
        /// Occurrences recorded in ``PassState/run``, written by the two-pass code.
        case recorded
        /// Map entries written from `start` in `out`, their keys from `items` in ``PassState/mapItems``.
        case map(start: Int, items: Int, keyType: FieldType)
    }

    /// One map entry written by the single pass: its key, and where its bytes are in the output.
    struct PassMapItem {
        var keyBits: UInt64 = 0
        var keyBytes: Range<Int> = 0..<0
        var output: Range<Int> = 0..<0
    }

    /// Reads one message of `program`'s v2 type in `range` (nested `depth` deep), writing its v1 fields; returns the
    /// unknown fields it holds at every level, or `nil` when the two passes must decide.
    private func read(
        _ program: SinglePass.Program, in range: Range<Int>, depth: Int, state: inout PassState,
        into out: inout WireOutput
    ) -> Int? {
        var reader = WireReader(state.buffer, range: range)
        let recordsTop = depth == 1 && !state.deferred.isEmpty
        var unknown = 0
        // The slot written last, or whose run of occurrences is being read: slots are written in order.
        var last = -1
        var run = PassRun.none
        // The member met of each v2 oneof (the validator's rule), and the v1 oneofs written (a second member written
        // would clear the first, which the message path decides).
        var v2Oneofs = SIMD8<Int32>()
        var v1Oneofs: UInt64 = 0
        do {
            while let (number, wireType) = try reader.nextTag() {
                let tagOffset = reader.tagOffset
                let valueOffset = reader.offset
                let step =
                    Int(number) < program.stepsCount
                    ? state.steps[program.stepsStart &+ Int(number)]
                    : SinglePass.Step(field: validator.field(number, inMessage: program.messageIndex))
                if recordsTop && step.feedsDeferred {
                    state.top.append(
                        WireOccurrence(
                            number: number, wireType: wireType, tagOffset: tagOffset, valueOffset: valueOffset))
                }
                let field = step.field
                let slot = Int(step.slot)
                let handling = step.handling
                var known = true
                if slot >= 0 && handling != .recorded && wireType == step.wireType {
                    let entry = state.entries[slot]
                    var continuesMap = false
                    if case .map = run, slot == last { continuesMap = true }
                    if !continuesMap {
                        guard try close(&run, last, state: &state, oneofs: &v1Oneofs, into: &out) else { return nil }
                    }
                    // A singular field met twice merges, or the last one wins: the two passes decide.
                    guard slot > last || (slot == last && entry.sourceIsRepeated) else { return nil }
                    let start = out.count
                    switch handling {
                    case .scalar:
                        if step.sameType != .none {
                            try Self.copyNumber(entry, step.sameType, wireType, &reader, into: &out)
                        } else {
                            guard try readScalar(entry, wireType, &reader, temp: &state.temp, into: &out) else {
                                return nil
                            }
                        }
                    case .copy:
                        guard try readCopy(entry, field, &reader, into: &out) else { return nil }
                    case .message, .repeatedMessage, .unwrap:
                        let child = state.programs[entry.child]
                        guard depth < state.maxDepth, child.messageIndex >= 0 else { return nil }
                        let value = try reader.readLengthDelimited()
                        // A wrapper's value field writes the v1 field itself.
                        let wraps = handling != .unwrap
                        if wraps { out.appendTag(entry.v1Number, .lengthDelimited) }
                        let prefix = wraps ? out.beginLengthPrefix() : 0
                        guard let nested = read(child, in: value, depth: depth + 1, state: &state, into: &out)
                        else { return nil }
                        unknown &+= nested
                        if wraps { out.endLengthPrefix(prefix) }
                    case .timestamp:
                        guard depth < state.maxDepth,
                            try readTimestamp(entry, in: reader.readLengthDelimited(), state: &state, into: &out)
                        else { return nil }
                    case .map:
                        let child = state.programs[entry.child]
                        guard depth < state.maxDepth, child.messageIndex >= 0 else { return nil }
                        if !continuesMap {
                            let keyType = state.entries[Int(state.steps[child.stepsStart + 1].slot)].sourceType
                            run = .map(start: out.count, items: state.mapItems.count, keyType: keyType)
                        }
                        guard
                            try readMapEntry(
                                entry, child, in: reader.readLengthDelimited(), depth: depth, state: &state,
                                into: &out)
                        else { return nil }
                    case .packedNumbers:
                        // One packed run: a second (or unpacked elements) the two passes join.
                        guard slot != last,
                            try Self.copyPacked(entry, step.sameType, reader.readLengthDelimited(), state, into: &out)
                        else { return nil }
                    case .recorded:
                        return nil
                    }
                    guard Self.mark(entry, written: out.count > start, in: &v1Oneofs) else { return nil }
                    last = slot
                } else {
                    // An unpacked element of a packed run the pass copies: the two passes join them.
                    if handling == .packedNumbers && wireType == field.wireType { return nil }
                    if slot < 0, case .message = field.kind, wireType == .lengthDelimited,
                        state.checks[Int(field.messageIndex)].messageIndex >= 0
                    {
                        // A message no entry reads: validated by its own program, nothing written.
                        guard depth < state.maxDepth,
                            let nested = read(
                                state.checks[Int(field.messageIndex)], in: try reader.readLengthDelimited(),
                                depth: depth + 1, state: &state, into: &out)
                        else { return nil }
                        unknown &+= nested
                    } else if wireType == field.wireType, let valid = try Self.skipPlainValue(of: field, &reader) {
                        guard valid else { return nil }
                    } else {
                        guard
                            let scanned = validator.scanValue(
                                of: field, number: number, wireType: wireType, reader: &reader, depth: depth,
                                maxDepth: state.maxDepth)
                        else { return nil }
                        unknown &+= scanned.unknown
                        known = scanned.known
                    }
                    if slot >= 0 && handling == .recorded {
                        var continuesRun = false
                        if case .recorded = run, slot == last { continuesRun = true }
                        if !continuesRun {
                            guard try close(&run, last, state: &state, oneofs: &v1Oneofs, into: &out),
                                slot > last
                            else { return nil }
                            last = slot
                            run = .recorded
                        }
                        state.run.append(
                            WireOccurrence(
                                number: number, wireType: wireType, tagOffset: tagOffset, valueOffset: valueOffset))
                    }
                }
                if known && field.oneof >= 0 {
                    let oneof = Int(field.oneof)
                    guard oneof < v2Oneofs.scalarCount, v2Oneofs[oneof] == 0 || v2Oneofs[oneof] == number else {
                        return nil
                    }
                    v2Oneofs[oneof] = number
                }
            }
            guard try close(&run, last, state: &state, oneofs: &v1Oneofs, into: &out) else { return nil }
            if recordsTop {
                guard try writeDeferred(state: &state, oneofs: &v1Oneofs, into: &out) else { return nil }
            }
        } catch {
            return nil
        }
        return unknown
    }

    /// Skips one value of a plain field (a number, an open enum, bytes or a string) whose wire type is its
    /// declaration's, checking it as the validator does: whether it is valid (a string must be UTF-8); `nil`, having
    /// read nothing, for any other field (the validator scans it).
    @inline(__always)
    private static func skipPlainValue(of field: WireLayout.Field, _ reader: inout WireReader)
        throws(WireDecodingError) -> Bool?
    {
        switch field.kind {
        case .varint:
            _ = try reader.readVarint()
        case .enumValue:
            guard field.closedEnum < 0 else { return nil }
            _ = try reader.readVarint()
        case .fixed32:
            _ = try reader.readFixed32()
        case .fixed64:
            _ = try reader.readFixed64()
        case .bytes:
            _ = try reader.readLengthDelimited()
        case .checkedString:
            return WireValidator.isValidUTF8(reader.bytes(in: try reader.readLengthDelimited()))
        case .undeclared, .unsupported, .message, .map:
            return nil
        }
        return true
    }

    /// Finishes the run of `slot`'s occurrences; `false` when the two passes must decide.
    private func close(
        _ run: inout PassRun, _ slot: Int, state: inout PassState, oneofs: inout UInt64, into out: inout WireOutput
    ) throws(WireDecodingError) -> Bool {
        switch run {
        case .none:
            return true
        case .recorded:
            run = .none
            return try flush(slot, state: &state, oneofs: &oneofs, into: &out)
        case .map(let start, let items, let keyType):
            run = .none
            sortMap(from: start, items: items, keyType: keyType, state: &state, into: &out)
            return true
        }
    }

    /// Puts the map entries written from `start` in key order, a later entry of one key replacing an earlier one (as
    /// the encoder writes a map), and forgets their items.
    private func sortMap(
        from start: Int, items first: Int, keyType: FieldType, state: inout PassState, into out: inout WireOutput
    ) {
        defer { state.mapItems.removeSubrange(first...) }
        let buffer = state.buffer
        func order(_ a: PassMapItem, _ b: PassMapItem) -> Int {
            guard keyType.wireType == .lengthDelimited else {
                return WireValues.compareMapKeys(bits: a.keyBits, b.keyBits, as: keyType)
            }
            let reader = WireReader(buffer)
            return WireValues.compareMapKeys(bytes: reader.bytes(in: a.keyBytes), reader.bytes(in: b.keyBytes))
        }
        let items = state.mapItems[first...]
        var sorted = true
        for index in items.indices.dropFirst() where order(items[index - 1], items[index]) >= 0 {
            sorted = false
            break
        }
        if sorted { return }
        let positions = items.indices.sorted { a, b in
            let byKey = order(items[a], items[b])
            return byKey != 0 ? byKey < 0 : a < b
        }
        let written = Array(out.bytes(from: start))
        out.truncate(to: start)
        written.withUnsafeBytes { written in
            for (rank, position) in positions.enumerated() {
                // A later entry with the same key replaces this one.
                if rank + 1 < positions.count && order(items[position], items[positions[rank + 1]]) == 0 { continue }
                let output = items[position].output
                out.append(
                    UnsafeRawBufferPointer(rebasing: written[(output.lowerBound - start)..<(output.upperBound - start)])
                )
            }
        }
    }

    /// One map entry in `range`, its key then its value (nothing else), written as the two passes write it; `false`
    /// when they must decide (another shape, a key that is not ASCII, a message value with unknown fields).
    private func readMapEntry(
        _ entry: Entry, _ program: SinglePass.Program, in range: Range<Int>, depth: Int, state: inout PassState,
        into out: inout WireOutput
    ) throws(WireDecodingError) -> Bool {
        let keyStep = state.steps[program.stepsStart + 1]
        let valueStep = state.steps[program.stepsStart + 2]
        let keyEntry = state.entries[Int(keyStep.slot)]
        let valueEntry = state.entries[Int(valueStep.slot)]
        var fields = WireReader(state.buffer, range: range)
        var item = PassMapItem()
        let start = out.count
        out.appendTag(entry.v1Number, .lengthDelimited)
        let prefix = out.beginLengthPrefix()
        guard let (keyNumber, keyWireType) = try fields.nextTag(), keyNumber == 1,
            keyWireType == keyStep.field.wireType
        else { return false }
        if keyWireType == .lengthDelimited {
            item.keyBytes = try fields.readLengthDelimited()
            let key = fields.bytes(in: item.keyBytes)
            // Unicode decides whether two other strings are one key.
            for byte in key where byte >= 0x80 { return false }
            out.appendTag(keyEntry.v1Number, .lengthDelimited)
            out.appendLengthDelimited(key)
        } else {
            item.keyBits = try WireValues.readBits(keyWireType, from: &fields)
            guard let key = WireValues.scalar(bits: item.keyBits, as: keyEntry.sourceType),
                let converted = convert(key, keyEntry)
            else { return false }
            append(converted, keyEntry, temp: &state.temp, to: &out)
        }
        guard let (valueNumber, valueWireType) = try fields.nextTag(), valueNumber == 2,
            valueWireType == valueStep.field.wireType
        else { return false }
        switch valueStep.handling {
        case .scalar:
            guard try readScalar(valueEntry, valueWireType, &fields, temp: &state.temp, into: &out) else {
                return false
            }
        case .copy:
            guard try readCopy(valueEntry, valueStep.field, &fields, into: &out) else { return false }
        case .message:
            // The validator reads a map entry's message value two levels down.
            let child = state.programs[valueEntry.child]
            guard depth + 1 < state.maxDepth, child.messageIndex >= 0 else { return false }
            let value = try fields.readLengthDelimited()
            out.appendTag(valueEntry.v1Number, .lengthDelimited)
            let valuePrefix = out.beginLengthPrefix()
            // Unknown fields inside a map value are left to the decoder (a later entry of its key drops them).
            guard read(child, in: value, depth: depth + 2, state: &state, into: &out) == 0 else { return false }
            out.endLengthPrefix(valuePrefix)
        case .repeatedMessage, .timestamp, .unwrap, .map, .packedNumbers, .recorded:
            return false
        }
        guard fields.isAtEnd else { return false }
        out.endLengthPrefix(prefix)
        item.output = start..<out.count
        state.mapItems.append(item)
        return true
    }

    /// A google.protobuf.Timestamp in `range` as integer milliseconds or seconds; `false` when the two passes must
    /// decide (a field other than seconds and nanos, a value v1 cannot hold).
    private func readTimestamp(
        _ entry: Entry, in range: Range<Int>, state: inout PassState, into out: inout WireOutput
    )
        throws(WireDecodingError) -> Bool
    {
        var timestamp = WireReader(state.buffer, range: range)
        var seconds: Int64 = 0
        var nanos: Int64 = 0
        // Timestamp: int64 seconds = 1, int32 nanos = 2.
        while let (number, wireType) = try timestamp.nextTag() {
            guard wireType == .varint else { return false }
            if number == 1 {
                seconds = Int64(bitPattern: try timestamp.readVarint())
            } else if number == 2 {
                nanos = Int64(Int32(truncatingIfNeeded: try timestamp.readVarint()))
            } else {
                return false
            }
        }
        guard
            let result = IntegerValue.timestamp(
                seconds: seconds, nanos: nanos, millis: entry.kind == .timestampMillis),
            let narrowed = IntegerValue.narrow(Int128(result), to: entry.v1Type)
        else { return false }
        append(narrowed, entry, temp: &state.temp, to: &out)
        return true
    }

    /// Writes the run of occurrences recorded for `slot` through the two-pass code, and empties the run.
    private func flush(_ slot: Int, state: inout PassState, oneofs: inout UInt64, into out: inout WireOutput)
        throws(WireDecodingError) -> Bool
    {
        let entry = state.entries[slot]
        let buffer = state.buffer
        let options = state.options
        var temp: [UInt8] = []
        swap(&temp, &state.temp)
        defer { swap(&temp, &state.temp) }
        temp.removeAll(keepingCapacity: true)
        let written = try state.run.withUnsafeBufferPointer { run throws(WireDecodingError) -> Bool in
            let payload = Payload(
                buffer: buffer, occurrences: UnsafeBufferPointer(start: nil, count: 0), occurrencesSorted: true)
            return try emit(
                entry, containers: .recorded(run, sorted: true), payload: payload, options: options, into: &temp)
        }
        state.run.removeAll(keepingCapacity: true)
        temp.withUnsafeBytes { out.append($0) }
        return written && Self.mark(entry, written: !temp.isEmpty, in: &oneofs)
    }

    /// Writes the whitelist entries read through a sub-message, from the recorded top-level occurrences: a group
    /// with a program from the one occurrence of its message, any other through the two-pass code.
    private func writeDeferred(state: inout PassState, oneofs: inout UInt64, into out: inout WireOutput)
        throws(WireDecodingError) -> Bool
    {
        let top = state.top
        for group in state.groups {
            if group.program.messageIndex >= 0 {
                var message: Range<Int>? = nil
                var several = false
                for occurrence in top where occurrence.number == group.number && occurrence.wireType == .lengthDelimited
                {
                    several = message != nil
                    var reader = WireReader(state.buffer, range: occurrence.valueOffset..<state.buffer.count)
                    message = try reader.readLengthDelimited()
                }
                if !several {
                    // The message was validated and its unknown fields counted when the pass met it.
                    if let message {
                        guard read(group.program, in: message, depth: 2, state: &state, into: &out) != nil else {
                            return false
                        }
                    }
                    continue
                }
            }
            let written = try top.withUnsafeBufferPointer { top throws(WireDecodingError) -> Bool in
                let payload = Payload(
                    buffer: state.buffer, occurrences: top, occurrencesSorted: Self.isSortedByNumber(top))
                for slot in state.deferred[group.entries] {
                    let entry = state.entries[slot]
                    var bytes: [UInt8] = []
                    guard try emit(entry, payload: payload, options: state.options, into: &bytes),
                        Self.mark(entry, written: !bytes.isEmpty, in: &oneofs)
                    else { return false }
                    bytes.withUnsafeBytes { out.append($0) }
                }
                return true
            }
            guard written else { return false }
        }
        return true
    }

    /// One packed run of numbers copied to a packed field of their own type, written as the two passes write it;
    /// `false` when its length does not hold whole fixed-width values.
    private static func copyPacked(
        _ entry: Entry, _ sameType: SinglePass.SameType, _ range: Range<Int>, _ state: PassState,
        into out: inout WireOutput
    ) throws(WireDecodingError) -> Bool {
        switch sameType {
        case .fixed32: guard range.count % 4 == 0 else { return false }
        case .fixed64: guard range.count % 8 == 0 else { return false }
        case .signExtended32, .varint64, .varint32, .bool, .none: break
        }
        // An empty run writes nothing.
        guard !range.isEmpty else { return true }
        var values = WireReader(state.buffer, range: range)
        out.appendTag(entry.v1Number, .lengthDelimited)
        let prefix = out.beginLengthPrefix()
        while !values.isAtEnd {
            switch sameType {
            case .fixed32: out.appendFixed32(try values.readFixed32())
            case .fixed64: out.appendFixed64(try values.readFixed64())
            case .signExtended32, .varint64, .varint32, .bool, .none:
                out.appendVarint(Self.sameTypeBits(try values.readVarint(), sameType))
            }
        }
        out.endLengthPrefix(prefix)
        return true
    }

    /// The bits a number read as `bits` is written again with, in a field of its own type.
    @inline(__always)
    private static func sameTypeBits(_ bits: UInt64, _ sameType: SinglePass.SameType) -> UInt64 {
        switch sameType {
        case .signExtended32: UInt64(bitPattern: Int64(Int32(truncatingIfNeeded: bits)))
        case .varint32, .fixed32: UInt64(UInt32(truncatingIfNeeded: bits))
        case .bool: bits == 0 ? 0 : 1
        case .varint64, .fixed64, .none: bits
        }
    }

    /// Notes a written member of a v1 oneof; `false` when another member of it was written before.
    @inline(__always)
    private static func mark(_ entry: Entry, written: Bool, in oneofs: inout UInt64) -> Bool {
        guard written && entry.v1Oneof >= 0 else { return true }
        guard oneofs & (1 << entry.v1Oneof) == 0 else { return false }
        oneofs |= 1 << entry.v1Oneof
        return true
    }

    /// One occurrence of a number copied to a field of its own type (its wire type checked), written as the two
    /// passes write it.
    @inline(__always)
    private static func copyNumber(
        _ entry: Entry, _ sameType: SinglePass.SameType, _ wireType: WireType, _ reader: inout WireReader,
        into out: inout WireOutput
    ) throws(WireDecodingError) {
        let value = sameTypeBits(try WireValues.readBits(wireType, from: &reader), sameType)
        // Implicit presence: the zero value is not written (nor is an implicit source's zero into an explicit field).
        if value == 0 && (entry.zeroSourceIsUnset || !entry.v1HasPresence) { return }
        out.appendTag(entry.v1Number, wireType)
        switch sameType {
        case .fixed32: out.appendFixed32(UInt32(truncatingIfNeeded: value))
        case .fixed64: out.appendFixed64(value)
        case .signExtended32, .varint64, .varint32, .bool, .none: out.appendVarint(value)
        }
    }

    /// One occurrence of a singular number, bool or enum (its wire type checked), written as the two passes write it;
    /// `false` when they must decide (a closed enum's unknown value, a value v1 cannot hold).
    @inline(__always)
    private func readScalar(
        _ entry: Entry, _ wireType: WireType, _ reader: inout WireReader, temp: inout [UInt8],
        into out: inout WireOutput
    ) throws(WireDecodingError) -> Bool {
        let bits = try WireValues.readBits(wireType, from: &reader)
        guard !isUnknownClosedEnum(bits, entry), let value = WireValues.scalar(bits: bits, as: entry.sourceType) else {
            return false
        }
        if entry.zeroSourceIsUnset && value.isImplicitDefault { return true }
        guard let converted = convert(value, entry) else { return false }
        append(converted, entry, temp: &temp, to: &out)
        return true
    }

    /// Appends a singular v1 value as the two passes write it (numbers directly, strings and bytes through `temp`).
    @inline(__always)
    private func append(_ value: ProtoValue, _ entry: Entry, temp: inout [UInt8], to out: inout WireOutput) {
        if isUnwritten(value, entry) { return }
        if WireValues.appendScalar(value, number: entry.v1Number, as: entry.v1Type, to: &out) { return }
        temp.removeAll(keepingCapacity: true)
        append(value, entry, to: &temp)
        temp.withUnsafeBytes { out.append($0) }
    }

    /// One occurrence of a string or bytes (its wire type checked), copied as the two passes copy it; `false` when
    /// they must decide (bytes that are not UTF-8 where a string must be).
    @inline(__always)
    private func readCopy(
        _ entry: Entry, _ field: WireLayout.Field, _ reader: inout WireReader, into out: inout WireOutput
    ) throws(WireDecodingError) -> Bool {
        let value = reader.bytes(in: try reader.readLengthDelimited())
        var checked = entry.sourceChecksUTF8
        if case .checkedString = field.kind { checked = true }
        if checked && !WireValidator.isValidUTF8(value) {
            return false
        }
        if !entry.sourceIsRepeated {
            // Implicit presence: the empty value is not written.
            if value.isEmpty && (entry.zeroSourceIsUnset || !entry.v1HasPresence) { return true }
        }
        out.appendTag(entry.v1Number, .lengthDelimited)
        out.appendLengthDelimited(value)
        return true
    }
}
