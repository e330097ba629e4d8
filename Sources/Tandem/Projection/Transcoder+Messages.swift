import TandemProto

extension Transcoder {
    // MARK: Entries

    /// Appends one whitelist entry's v1 field, following its source path from the top-level message; `false` when
    /// a value cannot be represented (the message path reports it).
    func emit(_ entry: Entry, payload: Payload, options: WireDecodingOptions, into out: inout [UInt8])
        throws(WireDecodingError) -> Bool
    {
        var containers = Containers.top
        for step in entry.pathStart..<(entry.pathStart + entry.pathCount) {
            let number = paths[step]
            var next = Gathered()
            try Self.forEachOccurrence(of: number, in: containers, payload: payload) {
                (wireType, reader, _) throws(WireDecodingError) in
                guard wireType == .lengthDelimited else { return false }
                next.append(try reader.readLengthDelimited())
                return true
            }
            containers = next.containers ?? .nested([])
            if case .nested(let ranges) = containers, ranges.count > 1, !pathsMerge[step] { return false }
        }
        return try emit(entry, containers: containers, payload: payload, options: options, into: &out)
    }

    /// Appends one field read from `containers`.
    func emit(
        _ entry: Entry, containers: Containers, payload: Payload,
        options: WireDecodingOptions, into out: inout [UInt8]
    ) throws(WireDecodingError) -> Bool {
        switch entry.kind {
        case .integer, .same, .enumTable, .scalar:
            if entry.sourceIsRepeated {
                return try emitRepeatedScalar(entry, containers: containers, payload: payload, into: &out)
            }
            return try emitScalar(entry, containers: containers, payload: payload, into: &out)
        case .copy:
            return try emitCopy(entry, containers: containers, payload: payload, into: &out)
        case .timestampMillis, .timestampSeconds:
            return try emitTimestamp(entry, containers: containers, payload: payload, into: &out)
        case .message:
            return try emitMessage(entry, containers: containers, payload: payload, options: options, into: &out)
        case .repeatedMessage:
            return try emitRepeatedMessage(
                entry, containers: containers, payload: payload, options: options, into: &out)
        case .map:
            return try emitMap(entry, containers: containers, payload: payload, options: options, into: &out)
        case .unwrap:
            var wrappers = Gathered()
            try gather(entry, in: containers, payload: payload, into: &wrappers)
            // An absent wrapper leaves the v1 field absent; a present one reads as its value, the default if unset.
            guard let wrapper = wrappers.containers else { return true }
            return try emitProgram(entry.child, containers: wrapper, payload: payload, options: options, into: &out)
        case .general:
            return emitGeneral(entry, containers: containers, payload: payload, options: options, into: &out)
        }
    }

    /// Appends the fields of program `program` (a v1 message's fields, in encoding order) read from `containers`.
    func emitProgram(
        _ program: Int, containers: Containers, payload: Payload,
        options: WireDecodingOptions, into out: inout [UInt8]
    ) throws(WireDecodingError) -> Bool {
        guard case .one(let range) = containers, programs[program].count > 1 else {
            return try emitFields(program, containers: containers, payload: payload, options: options, into: &out)
        }
        // One message read by several fields: its occurrences are recorded once (on the stack when small), so no
        // field reads a tag another has read.
        var failure: WireDecodingError? = nil
        let written = withUnsafeTemporaryAllocation(of: WireOccurrence.self, capacity: range.count / 2 + 1) {
            buffer -> Bool in
            do throws(WireDecodingError) {
                var count = 0
                var sorted = true
                var previous: Int32 = 0
                var reader = WireReader(payload.buffer, range: range)
                while let (number, wireType) = try reader.nextTag() {
                    if number < previous { sorted = false }
                    previous = number
                    let tagOffset = reader.tagOffset
                    let valueOffset = reader.offset
                    try reader.skipField(wireType: wireType, fieldNumber: number, maxDepth: 0)
                    // A field takes two bytes at least (the validator has read this message); should one not, the
                    // message path decides.
                    guard count < buffer.count, let base = buffer.baseAddress else { return false }
                    (base + count).initialize(
                        to: WireOccurrence(
                            number: number, wireType: wireType, tagOffset: tagOffset, valueOffset: valueOffset))
                    count += 1
                }
                let recorded = UnsafeBufferPointer(rebasing: buffer[0..<count])
                return try emitFields(
                    program, containers: .recorded(recorded, sorted: sorted), payload: payload, options: options,
                    into: &out)
            } catch {
                failure = error
                return false
            }
        }
        if let failure { throw failure }
        return written
    }

    private func emitFields(
        _ program: Int, containers: Containers, payload: Payload,
        options: WireDecodingOptions, into out: inout [UInt8]
    ) throws(WireDecodingError) -> Bool {
        // As at the top level, a second member of one v1 oneof would clear the first: the message path decides.
        var oneofsSet: UInt64 = 0
        for slot in programs[program] {
            let entry = entries[slot]
            let start = out.count
            guard try emit(entry, containers: containers, payload: payload, options: options, into: &out) else {
                return false
            }
            if entry.v1Oneof >= 0 && out.count > start {
                guard oneofsSet & (1 << entry.v1Oneof) == 0 else { return false }
                oneofsSet |= 1 << entry.v1Oneof
            }
        }
        return true
    }

    // MARK: Messages

    /// A singular sub-message projected by field name; its occurrences merge, as in decoding.
    private func emitMessage(
        _ entry: Entry, containers: Containers, payload: Payload,
        options: WireDecodingOptions, into out: inout [UInt8]
    ) throws(WireDecodingError) -> Bool {
        var occurrences = Gathered()
        try gather(entry, in: containers, payload: payload, into: &occurrences)
        // A message field has explicit presence: absent stays absent, present-but-empty stays present.
        guard let message = occurrences.containers else { return true }
        if case .nested = message, !programsMerge[entry.child] { return false }
        WireValues.appendTag(entry.v1Number, .lengthDelimited, to: &out)
        let start = WireValues.beginLengthPrefix(&out)
        guard try emitProgram(entry.child, containers: message, payload: payload, options: options, into: &out)
        else { return false }
        WireValues.endLengthPrefix(start, &out)
        return true
    }

    /// A repeated sub-message: each occurrence is one element.
    private func emitRepeatedMessage(
        _ entry: Entry, containers: Containers, payload: Payload,
        options: WireDecodingOptions, into out: inout [UInt8]
    ) throws(WireDecodingError) -> Bool {
        var representable = true
        try Self.forEachOccurrence(of: entry.sourceNumber, in: containers, payload: payload) {
            (wireType, reader, _) throws(WireDecodingError) in
            guard wireType == .lengthDelimited else { return false }
            let element = try reader.readLengthDelimited()
            guard representable else { return true }
            WireValues.appendTag(entry.v1Number, .lengthDelimited, to: &out)
            let start = WireValues.beginLengthPrefix(&out)
            representable = try emitProgram(
                entry.child, containers: .one(element), payload: payload, options: options, into: &out)
            WireValues.endLengthPrefix(start, &out)
            return true
        }
        return representable
    }

    /// Gathers the length-delimited occurrences of `entry`'s source (others are unknown fields to decoding).
    @inline(__always)
    private func gather(_ entry: Entry, in containers: Containers, payload: Payload, into gathered: inout Gathered)
        throws(WireDecodingError)
    {
        try Self.forEachOccurrence(of: entry.sourceNumber, in: containers, payload: payload) {
            (wireType, reader, _) throws(WireDecodingError) in
            guard wireType == .lengthDelimited else { return false }
            gathered.append(try reader.readLengthDelimited())
            return true
        }
    }

    // MARK: Maps

    /// One map entry occurrence: where it is, its key, and its position among the occurrences.
    private struct MapItem {
        let range: Range<Int>
        let order: Int
        var keyBits: UInt64 = 0
        var keyBytes: Range<Int> = 0..<0
    }

    /// A map: its entries in the encoder's order (by key), a later entry of one key replacing an earlier one, key
    /// and value always written. Entries of an unusual shape (other fields, mistyped fields, a message value left
    /// out, a non-ASCII string key, whose equality is Unicode's) go to the general path.
    private func emitMap(
        _ entry: Entry, containers: Containers, payload: Payload,
        options: WireDecodingOptions, into out: inout [UInt8]
    ) throws(WireDecodingError) -> Bool {
        let program = programs[entry.child]
        let keyEntry = entries[program.lowerBound]
        let valueEntry = entries[program.lowerBound + 1]
        let keyWireType = keyEntry.sourceType.wireType
        let valueWireType = valueEntry.sourceType.wireType
        var items: [MapItem] = []
        var regular = true
        try Self.forEachOccurrence(of: entry.sourceNumber, in: containers, payload: payload) {
            (wireType, reader, _) throws(WireDecodingError) in
            guard wireType == .lengthDelimited else { return false }
            var item = MapItem(range: try reader.readLengthDelimited(), order: items.count)
            var fields = reader.subReader(item.range)
            var hasValue = false
            while let (number, fieldWireType) = try fields.nextTag() {
                if number == 1 && fieldWireType == keyWireType {
                    if keyWireType == .lengthDelimited {
                        item.keyBytes = try fields.readLengthDelimited()
                    } else {
                        item.keyBits = try WireValues.readBits(keyWireType, from: &fields)
                    }
                    continue
                }
                if number == 2 && fieldWireType == valueWireType {
                    hasValue = true
                } else {
                    regular = false
                }
                try fields.skipField(wireType: fieldWireType, fieldNumber: number, maxDepth: 0)
            }
            if !hasValue && valueEntry.kind == .message { regular = false }
            if keyWireType == .lengthDelimited && !Self.isASCII(reader.bytes(in: item.keyBytes)) { regular = false }
            items.append(item)
            return true
        }
        // Only a whitelist entry has a general path; below the top the payload is declined.
        guard regular else {
            return emitGeneral(entry, containers: containers, payload: payload, options: options, into: &out)
        }
        guard !items.isEmpty else { return true }
        let keyType = keyEntry.sourceType
        items.sort { a, b in
            let order = Self.compareKeys(a, b, keyType, payload)
            return order != 0 ? order < 0 : a.order < b.order
        }
        for position in items.indices {
            let item = items[position]
            // A later entry with the same key replaces this one.
            if position + 1 < items.count && Self.compareKeys(item, items[position + 1], keyType, payload) == 0 {
                continue
            }
            WireValues.appendTag(entry.v1Number, .lengthDelimited, to: &out)
            let start = WireValues.beginLengthPrefix(&out)
            let fields = Containers.one(item.range)
            guard try emit(keyEntry, containers: fields, payload: payload, options: options, into: &out),
                try emit(valueEntry, containers: fields, payload: payload, options: options, into: &out)
            else { return false }
            WireValues.endLengthPrefix(start, &out)
        }
        return true
    }

    /// The order of two map keys of type `type`: negative, zero or positive.
    private static func compareKeys(_ a: MapItem, _ b: MapItem, _ type: FieldType, _ payload: Payload) -> Int {
        guard type.wireType == .lengthDelimited else {
            return WireValues.compareMapKeys(bits: a.keyBits, b.keyBits, as: type)
        }
        let reader = WireReader(payload.buffer)
        return WireValues.compareMapKeys(bytes: reader.bytes(in: a.keyBytes), reader.bytes(in: b.keyBytes))
    }

    private static func isASCII(_ bytes: UnsafeRawBufferPointer) -> Bool {
        for byte in bytes where byte >= 0x80 { return false }
        return true
    }

    // MARK: The general path

    /// Any other entry: the field's occurrences decoded alone as their container message, then projected.
    func emitGeneral(
        _ entry: Entry, containers: Containers, payload: Payload,
        options: WireDecodingOptions, into out: inout [UInt8]
    ) -> Bool {
        // Only a whitelist entry has a general path: it projects through the plan's entry.
        guard entry.index >= 0 else { return false }
        // Concatenated occurrences decode as the merged field (protobuf.dev, "Encoding": last one wins, merging).
        var subset: [UInt8] = []
        do {
            try Self.forEachOccurrence(of: entry.sourceNumber, in: containers, payload: payload) {
                (wireType, reader, start) throws(WireDecodingError) in
                try reader.skipField(wireType: wireType, fieldNumber: entry.sourceNumber, maxDepth: 0)
                subset.append(contentsOf: reader.bytes(in: start..<reader.offset))
                return true
            }
        } catch {
            return false
        }
        guard
            let message = try? DynamicMessage(
                decoding: subset, as: containerTypes[entry.slot], schema: v2Schema, options: options)
        else { return false }
        let plan = projection.plan
        var projected = DynamicMessage(descriptor: plan.v1Message, schema: plan.v1.schema)
        var issues: [String: ProtoValue] = [:]
        projection.projectEntry(
            entry.index, from: message, containerPresent: containers.arePresent, into: &projected, issues: &issues)
        guard issues.isEmpty else { return false }
        projected.append(to: &out)
        return true
    }
}
