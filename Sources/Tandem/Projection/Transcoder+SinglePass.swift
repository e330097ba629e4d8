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
            /// A ``Handling/scalar`` of one type to the same type: how its value is written again.
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

        /// The v2 record.
        let top: Program
        /// Top level only: whitelist entries whose source is inside a sub-message, written after the pass from the
        /// recorded top-level occurrences (their slots follow every other whitelist entry's).
        let deferred: [Int]
        /// Per program of the transcoder: its single pass (``Program/messageIndex`` -1 for none).
        let programs: [Program]
        /// The steps of every program.
        let steps: [Step]

        /// How the pass reads the entry at `slot`, where some program reads it (``Handling/recorded`` otherwise).
        func handling(ofSlot slot: Int) -> Handling {
            for program in [top] + programs where program.messageIndex >= 0 {
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
            // meet. The two-pass code says, run on no occurrence at all.
            var writesNothingWhenAbsent = [Bool](repeating: false, count: entries.count)
            let one: [UInt8] = [0]
            one.withUnsafeBytes { buffer in
                let none = UnsafeBufferPointer<WireOccurrence>(start: nil, count: 0)
                let payload = Payload(buffer: buffer, occurrences: none, occurrencesSorted: true)
                for entry in entries {
                    var out: [UInt8] = []
                    let written =
                        (try? transcoder.emit(
                            entry, containers: .recorded(none, sorted: true), payload: payload, options: .init(),
                            into: &out)) ?? false
                    writesNothingWhenAbsent[entry.slot] = written && out.isEmpty
                }
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
            self.programs = compiler.programs
            self.steps = compiler.steps
        }

        /// Compiles programs depth first.
        private struct Builder {
            let transcoder: Transcoder
            let writesNothingWhenAbsent: [Bool]
            var programs: [Program]
            var visited: [Bool]
            var steps: [Step] = []

            /// The single pass of `slots`, fields of the v2 message at `messageIndex`; `nil` when it has none. A map
            /// entry's key and value are always written: its program is read whole, absent fields aside.
            mutating func program(_ slots: [Int], messageIndex: Int, isMapEntry: Bool = false) -> Program? {
                let entries = transcoder.entries
                let validator = transcoder.validator
                let declared = transcoder.v2Schema.messages[messageIndex].fields.map { Int($0.number) }
                let count = min((declared.max() ?? 0) + 1, SinglePass.highestNumber + 1)
                var table = (0..<count).map { Step(field: validator.field(Int32($0), inMessage: messageIndex)) }
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
                    if table[number].handling == .scalar, entry.kind == .integer || entry.kind == .same,
                        entry.sourceType == entry.v1Type, entry.closedEnum < 0
                    {
                        table[number].sameType = SameType(entry.sourceType)
                    }
                }
                let start = steps.count
                steps.append(contentsOf: table)
                return Program(messageIndex: messageIndex, stepsStart: start, stepsCount: count)
            }

            private mutating func handling(of entry: Entry) -> Handling {
                switch entry.kind {
                case .integer, .same, .enumTable, .scalar:
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
