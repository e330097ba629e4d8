import SwiftProtobuf

extension ProtoParser {
    // MARK: - Enums

    mutating func parseEnum(path: [Int32]) throws(ProtoError) -> Google_Protobuf_EnumDescriptorProto {
        var enumProto = Google_Protobuf_EnumDescriptorProto()
        enumProto.name = try blockName("enum name", path: path)
        while try nextStatement() {
            if at("option") {
                _ = next()
                try parseOptionStatement(into: &enumProto.options, owner: path + [3], kind: .enum)
            } else if at("reserved") {
                _ = next()
                if current.kind == .string {
                    repeat {
                        let token = current
                        let name = Self.text(try stringLiteral())
                        locations[path + [5, Int32(enumProto.reservedName.count)]] = location(of: token)
                        enumProto.reservedName.append(name)
                    } while tryConsume(",")
                } else {
                    repeat {
                        let token = current
                        let start = try enumNumber()
                        var end = start
                        if tryConsume("to") {
                            end = tryConsume("max") ? Int32.max : try enumNumber()
                        }
                        var range = Google_Protobuf_EnumDescriptorProto.EnumReservedRange()
                        range.start = start
                        range.end = end
                        locations[path + [4, Int32(enumProto.reservedRange.count)]] = location(of: token)
                        enumProto.reservedRange.append(range)
                    } while tryConsume(",")
                }
                try expect(";")
            } else {
                let valuePath = path + [2, Int32(enumProto.value.count)]
                let valueName = try identifier("enum constant name")
                try expect("=")
                let numberToken = current
                var value = Google_Protobuf_EnumValueDescriptorProto()
                value.name = valueName.text
                value.number = try enumNumber()
                locations[valuePath] = location(of: valueName)
                locations[valuePath + [1]] = location(of: valueName)
                locations[valuePath + [2]] = location(of: numberToken)
                if at("[") {
                    _ = next()
                    var options = value.options
                    repeat {
                        try parseOption(
                            owner: valuePath + [3], kind: .enumValue, terminator: "]",
                            apply: { (bytes: [UInt8]) throws in
                                try options.merge(serializedBytes: bytes)
                            })
                    } while tryConsume(",")
                    try expect("]")
                    value.options = options
                }
                try expect(";")
                enumProto.value.append(value)
            }
        }
        return enumProto
    }

    /// An enum number: an optionally negative integer that fits in int32.
    mutating func enumNumber() throws(ProtoError) -> Int32 {
        let negative = tryConsume("-")
        let token = current
        guard token.kind == .integer else { throw fail("integer") }
        _ = next()
        guard let magnitude = Self.integerValue(token.text),
            magnitude <= (negative ? UInt64(Int32.max) + 1 : UInt64(Int32.max))
        else {
            throw ProtoError(.numberOutOfRange, at: location(of: token), "Integer out of range.")
        }
        return negative ? Int32(truncatingIfNeeded: 0 &- Int64(magnitude)) : Int32(magnitude)
    }
}
