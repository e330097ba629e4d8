import TandemProto

extension Transcoder {
    /// The transcoder's fast path: the v2 payload's tags are read once, each field validated and written as it comes,
    /// sub-messages read by their programs' own single pass, instead of the validator's pass over the whole payload
    /// followed by a look-up of each entry's occurrences.
    ///
    /// It takes payloads as encoders write them: the fields of each message in the order their v1 fields are written,
    /// a singular field once. A payload that is not (a field out of that order or repeated, a closed enum's unknown
    /// value, anything the validator declines) is left to the two passes, which decide it: the single pass writes
    /// their bytes exactly, or nothing. Maps, wrappers, timestamps, repeated numbers and the general path are read
    /// by the two-pass code from the occurrences the single pass records, once the run of them ends.
    struct SinglePass: Sendable {
        /// How the single pass reads one entry's occurrences.
        enum Handling: UInt8, Sendable {
            /// A singular number, bool or enum, written as it is read.
            case scalar
            /// A string or bytes, singular or repeated, copied.
            case copy
            /// A singular sub-message, read by its program's single pass.
            case message
            /// A repeated sub-message, each element read by its program's single pass.
            case repeatedMessage
            /// A google.protobuf.Timestamp converted to an integer.
            case timestamp
            /// A wrapper read by its program's single pass (its value written as the v1 field).
            case unwrap
            /// A map, each entry (key, then value) written as it is read, sorted once the run of them ends should
            /// they not come by key.
            case map
            /// A packed run of numbers copied to a packed field of their own type (one run, as encoders write it).
            case packedNumbers
            /// Validated as the validator does, its occurrences recorded, then written by the two-pass code when the
            /// run of them ends.
            case recorded
        }

        /// How the single pass reads one v2 field number of a program's message: the validator's layout of the
        /// field, and the entry reading it.
        struct Step: Sendable {
            var field = WireLayout.Field()
            /// The entry's slot; -1 for none.
            var slot: Int32 = -1
            var handling = Handling.recorded
            /// The wire type the pass reads the entry's occurrences in (the declaration's, or length-delimited for
            /// ``Handling/packedNumbers``); others are unknown fields.
            var wireType = WireType.varint
            /// A ``Handling/scalar`` or ``Handling/packedNumbers`` of one type to the same type: how its values are
            /// written again.
            var sameType = SameType.none
            /// The top level only: a whitelist entry written after the pass reads this field's occurrences.
            var feedsDeferred = false
        }

        /// How a number copied to a field of its own type is written: its bits as the encoder writes that type (an
        /// int32 sign-extended, a uint32 or a 32-bit fixed value truncated, a bool as 0 or 1), and not at all when
        /// they are zero and the v1 field has no presence.
        enum SameType: UInt8, Sendable {
            case none
            case signExtended32
            case varint64
            case varint32
            case bool
            case fixed32
            case fixed64

            init(_ type: FieldType) {
                switch type {
                case .int32: self = .signExtended32
                case .int64, .uint64, .sint64: self = .varint64
                case .uint32, .sint32: self = .varint32
                case .bool: self = .bool
                case .fixed32, .sfixed32, .float: self = .fixed32
                case .fixed64, .sfixed64, .double: self = .fixed64
                case .string, .bytes, .enum, .message, .group: self = .none
                }
            }
        }

        /// A v1 message's fields read from one v2 message: where its steps are in ``steps``, one per field number
        /// from 0 (a number past them is read by no entry).
        struct Program: Sendable {
            /// The v2 message, as an index into its schema's messages; -1 for a program without a single pass.
            var messageIndex = -1
            var stepsStart = 0
            var stepsCount = 0
        }

        /// The highest v2 field number a program's steps cover; a message read by a field numbered above it is left
        /// to the two passes.
        static let highestNumber = 4096

        /// Whitelist entries whose source is inside a top-level sub-message, read through the same top-level field.
        struct DeferredGroup: Sendable {
            /// The top-level field their paths start with.
            var number: Int32 = 0
            /// Their program over that field's message (read again from its one occurrence); ``Program/messageIndex``
            /// -1 when the two-pass code writes them.
            var program = Program()
            /// Their positions in ``SinglePass/deferred``.
            var entries: Range<Int> = 0..<0
        }

        /// The v2 record.
        let top: Program
        /// Top level only: whitelist entries whose source is inside a sub-message, written after the pass from the
        /// recorded top-level occurrences (their slots follow every other whitelist entry's).
        let deferred: [Int]
        /// The deferred entries in groups, in order.
        let deferredGroups: [DeferredGroup]
        /// Per message of the v2 schema: a program without entries that validates it and counts its unknown fields
        /// where no entry reads it (``Program/messageIndex`` -1: the validator scans it).
        let checks: [Program]
        /// Per program of the transcoder: its single pass (``Program/messageIndex`` -1 for none).
        let programs: [Program]
        /// The steps of every program.
        let steps: [Step]

        /// How the pass reads the entry at `slot`, where some program reads it (``Handling/recorded`` otherwise).
        func handling(ofSlot slot: Int) -> Handling {
            for program in [top] + programs + deferredGroups.map(\.program) where program.messageIndex >= 0 {
                for step in steps[program.stepsStart..<(program.stepsStart + program.stepsCount)]
                where step.slot == slot {
                    return step.handling
                }
            }
            return .recorded
        }

        /// The single pass of `transcoder`'s entries; `nil` when the top level cannot be read in one (a whitelist
        /// entry that writes a value for an absent field, two entries reading one v2 field, a path entry written
        /// before a direct one).
        init?(compiling transcoder: Transcoder) {
            let entries = transcoder.entries
            // An entry whose field is absent must write nothing: the single pass never looks at the fields it did not
            // meet. The two-pass code says, run on an empty message.
            let writesNothingWhenAbsent = Self.writeNothing(Array(entries.indices), transcoder) {
                entry, payload, out throws(WireDecodingError) in
                try transcoder.emit(
                    entry, containers: .recorded(payload.occurrences, sorted: true), payload: payload, options: .init(),
                    into: &out)
            }
            var compiler = Builder(
                transcoder: transcoder, writesNothingWhenAbsent: writesNothingWhenAbsent,
                programs: Array(repeating: Program(), count: transcoder.programs.count),
                visited: Array(repeating: false, count: transcoder.programs.count))
            let direct = (0..<transcoder.topLevelCount).filter { entries[$0].pathCount == 0 }
            let deferred = (0..<transcoder.topLevelCount).filter { entries[$0].pathCount > 0 }
            if let lastDirect = direct.last, let firstDeferred = deferred.first, firstDeferred < lastDirect {
                return nil
            }
            guard let top = compiler.program(direct, messageIndex: transcoder.v2Message.index) else { return nil }
            // The pass records the top-level occurrences the deferred entries' paths start with.
            for slot in deferred {
                let number = Int(transcoder.paths[entries[slot].pathStart])
                guard number < top.stepsCount else { return nil }
                compiler.steps[top.stepsStart + number].feedsDeferred = true
            }
            self.top = top
            self.deferred = deferred
            self.deferredGroups = Self.groups(of: deferred, transcoder: transcoder, compiler: &compiler)
            compiler.compileChecks()
            self.programs = compiler.programs
            self.steps = compiler.steps
            self.checks = compiler.checks
        }

        /// Groups the deferred entries: consecutive ones one step inside the same top-level field, outside any v1
        /// oneof, that write nothing when that field is absent, get a program over its message.
        private static func groups(of deferred: [Int], transcoder: Transcoder, compiler: inout Builder)
            -> [DeferredGroup]
        {
            let entries = transcoder.entries
            // What each deferred entry writes when its path's message is absent: nothing, or the group is left to the
            // two-pass code.
            let writesNothingWithoutContainer = Self.writeNothing(deferred, transcoder) {
                entry, payload, out throws(WireDecodingError) in
                try transcoder.emit(entry, payload: payload, options: .init(), into: &out)
            }
            var groups: [DeferredGroup] = []
            var start = 0
            while start < deferred.count {
                let number = transcoder.paths[entries[deferred[start]].pathStart]
                var end = start + 1
                while end < deferred.count && transcoder.paths[entries[deferred[end]].pathStart] == number { end += 1 }
                var group = DeferredGroup(number: number, entries: start..<end)
                let slots = Array(deferred[start..<end])
                let container = transcoder.containerTypes[slots[0]].index
                if slots.allSatisfy({ entries[$0].pathCount == 1 && entries[$0].v1Oneof < 0 }),
                    writesNothingWithoutContainer[start..<end].allSatisfy({ $0 }),
                    let program = compiler.program(slots, messageIndex: container)
                {
                    group.program = program
                }
                groups.append(group)
                start = end
            }
            return groups
        }

        /// Whether the two-pass code, writing each of `slots` with `write` from a payload without a field, accepts it
        /// and writes nothing.
        private static func writeNothing(
            _ slots: [Int], _ transcoder: Transcoder,
            _ write: (Entry, Payload, inout [UInt8]) throws(WireDecodingError) -> Bool
        ) -> [Bool] {
            let one: [UInt8] = [0]
            return one.withUnsafeBytes { buffer in
                let none = UnsafeBufferPointer<WireOccurrence>(start: nil, count: 0)
                let payload = Payload(buffer: buffer, occurrences: none, occurrencesSorted: true)
                return slots.map { slot in
                    var out: [UInt8] = []
                    let written = (try? write(transcoder.entries[slot], payload, &out)) ?? false
                    return written && out.isEmpty
                }
            }
        }

        /// Compiles programs depth first.
        private struct Builder {
            let transcoder: Transcoder
            let writesNothingWhenAbsent: [Bool]
            var programs: [Program]
            var visited: [Bool]
            var steps: [Step] = []
            var checks: [Program] = []

            /// The most steps the validating programs may take together (a schema of many messages leaves the rest
            /// to the validator).
            static let checkStepsLimit = 1 << 16

            /// Compiles a validating program for every message read through a field no entry reads, and for the
            /// messages those hold.
            mutating func compileChecks() {
                let schema = transcoder.v2Schema
                checks = Array(repeating: Program(), count: schema.messages.count)
                var queued = Array(repeating: false, count: schema.messages.count)
                var work: [Int] = []
                func enqueue(_ steps: ArraySlice<Step>) {
                    for step in steps where step.slot < 0 {
                        guard case .message = step.field.kind, step.field.messageIndex >= 0 else { continue }
                        let index = Int(step.field.messageIndex)
                        if index < queued.count && !queued[index] {
                            queued[index] = true
                            work.append(index)
                        }
                    }
                }
                enqueue(steps[...])
                var budget = Self.checkStepsLimit
                while let index = work.popLast() {
                    let declared = schema.messages[index].fields.map { Int($0.number) }
                    let count = min((declared.max() ?? 0) + 1, SinglePass.highestNumber + 1)
                    guard count <= budget else { continue }
                    budget -= count
                    let start = steps.count
                    steps.append(
                        contentsOf: (0..<count).map {
                            Step(field: transcoder.validator.field(Int32($0), inMessage: index))
                        })
                    checks[index] = Program(messageIndex: index, stepsStart: start, stepsCount: count)
                    enqueue(steps[start...])
                }
            }

            /// The single pass of `slots`, fields of the v2 message at `messageIndex`; `nil` when it has none. A map
            /// entry's key and value are always written: its program is read whole, absent fields aside.
            mutating func program(_ slots: [Int], messageIndex: Int, isMapEntry: Bool = false) -> Program? {
                let entries = transcoder.entries
                let validator = transcoder.validator
                let declared = transcoder.v2Schema.messages[messageIndex].fields.map { Int($0.number) }
                let count = min((declared.max() ?? 0) + 1, SinglePass.highestNumber + 1)
                var table = (0..<count).map {
                    let field = validator.field(Int32($0), inMessage: messageIndex)
                    return Step(field: field, wireType: field.wireType)
                }
                for slot in slots {
                    let entry = entries[slot]
                    let number = Int(entry.sourceNumber)
                    guard writesNothingWhenAbsent[slot] || isMapEntry,
                        transcoder.containerTypes[slot].index == messageIndex,
                        number > 0, number < count, table[number].slot < 0
                    else { return nil }
                    // A source the validator's layout does not read as a declared field is left to the two passes.
                    switch table[number].field.kind {
                    case .undeclared, .unsupported: return nil
                    default: break
                    }
                    table[number].slot = Int32(slot)
                    table[number].handling = handling(of: entry)
                    if table[number].handling == .scalar || table[number].handling == .packedNumbers,
                        entry.kind == .integer || entry.kind == .same, entry.sourceType == entry.v1Type,
                        entry.closedEnum < 0
                    {
                        table[number].sameType = SameType(entry.sourceType)
                    }
                    if table[number].handling == .packedNumbers {
                        if table[number].sameType == .none {
                            table[number].handling = .recorded
                        } else {
                            table[number].wireType = .lengthDelimited
                        }
                    }
                }
                let start = steps.count
                steps.append(contentsOf: table)
                return Program(messageIndex: messageIndex, stepsStart: start, stepsCount: count)
            }

            private mutating func handling(of entry: Entry) -> Handling {
                switch entry.kind {
                case .integer, .same:
                    guard entry.sourceIsRepeated else { return .scalar }
                    return entry.v1IsPacked ? .packedNumbers : .recorded
                case .enumTable, .scalar:
                    return entry.sourceIsRepeated ? .recorded : .scalar
                case .copy:
                    return .copy
                case .message, .repeatedMessage:
                    guard entry.child >= 0,
                        let v2Type = transcoder.v2Schema.messageType(of: transcoder.sources[entry.slot]),
                        compile(entry.child, messageIndex: v2Type.index)
                    else { return .recorded }
                    return entry.kind == .message ? .message : .repeatedMessage
                case .timestampMillis, .timestampSeconds:
                    // Only a Timestamp shaped as the well-known type gets these kinds (see the compiler).
                    return .timestamp
                case .unwrap:
                    guard let wrapper = transcoder.v2Schema.messageType(of: transcoder.sources[entry.slot]),
                        compile(entry.child, messageIndex: wrapper.index)
                    else { return .recorded }
                    return .unwrap
                case .map:
                    guard let mapEntry = transcoder.v2Schema.messageType(of: transcoder.sources[entry.slot]),
                        compile(entry.child, messageIndex: mapEntry.index, isMapEntry: true)
                    else { return .recorded }
                    // The value must be read in the single pass too.
                    let program = programs[entry.child]
                    guard program.stepsCount > 2, steps[program.stepsStart + 2].handling != .recorded else {
                        return .recorded
                    }
                    return .map
                case .general:
                    return .recorded
                }
            }

            /// Whether program `index` (read from the v2 message at `messageIndex`) has a single pass, compiling it
            /// the first time.
            private mutating func compile(_ index: Int, messageIndex: Int, isMapEntry: Bool = false) -> Bool {
                if visited[index] { return programs[index].messageIndex == messageIndex }
                visited[index] = true
                guard
                    let program = program(
                        Array(transcoder.programs[index]), messageIndex: messageIndex, isMapEntry: isMapEntry)
                else {
                    return false
                }
                programs[index] = program
                return true
            }
        }
    }
}
