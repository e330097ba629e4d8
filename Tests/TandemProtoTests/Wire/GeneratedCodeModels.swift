import Foundation
import SwiftProtobuf
import Tandem

@testable import TandemProto

/// Random messages built with the generated code (seeded), and their expected dynamic form built through
/// ``DynamicMessage``'s setters, field by field.
enum GeneratedModels {
    // MARK: Random values

    static func int32(_ rng: inout SplitMix64) -> Int32 {
        switch rng.next() % 6 {
        case 0: return 0
        case 1: return -1
        case 2: return .min
        case 3: return .max
        case 4: return Int32.random(in: -300...300, using: &rng)
        default: return Int32(truncatingIfNeeded: rng.next())
        }
    }

    static func int64(_ rng: inout SplitMix64) -> Int64 {
        switch rng.next() % 5 {
        case 0: return 0
        case 1: return .min
        case 2: return .max
        case 3: return Int64.random(in: -70_000...70_000, using: &rng)
        default: return Int64(bitPattern: rng.next())
        }
    }

    static func uint32(_ rng: inout SplitMix64) -> UInt32 { UInt32(bitPattern: int32(&rng)) }
    static func uint64(_ rng: inout SplitMix64) -> UInt64 { UInt64(bitPattern: int64(&rng)) }

    static func double(_ rng: inout SplitMix64) -> Double {
        switch rng.next() % 6 {
        case 0: return 0
        case 1: return -0.0
        case 2: return .infinity
        case 3: return -.greatestFiniteMagnitude
        case 4: return Double.random(in: -1e6...1e6, using: &rng)
        default: return .leastNonzeroMagnitude
        }
    }

    static func float(_ rng: inout SplitMix64) -> Float { Float(double(&rng)) }

    static let strings = [
        "", "a", "sku-1", "héllo", "日本語テキスト", "🙂🙃", "a longer string, well past fifteen bytes",
        "\u{0}nul", "quote\"and\\slash",
    ]

    static func string(_ rng: inout SplitMix64) -> String { strings[Int(rng.next() % UInt64(strings.count))] }

    static func bytes(_ rng: inout SplitMix64) -> Data {
        let count = Int(rng.next() % 20)
        return Data((0..<count).map { _ in UInt8(truncatingIfNeeded: rng.next()) })
    }

    /// Declared values most of the time, and sometimes a number the open enum does not declare.
    static func color(_ rng: inout SplitMix64) -> Tandem_Codec_V1_Color {
        let raw = rng.next() % 6 == 0 ? Int(Int32.random(in: -5...9, using: &rng)) : Int(rng.next() % 4)
        return Tandem_Codec_V1_Color(rawValue: raw) ?? .unspecified
    }

    static func count(_ rng: inout SplitMix64, _ max: UInt64 = 4) -> Int { Int(rng.next() % (max + 1)) }
    static func coin(_ rng: inout SplitMix64) -> Bool { rng.next() % 2 == 0 }

    // MARK: proto3

    static func item(_ rng: inout SplitMix64, depth: Int) -> Tandem_Codec_V1_Item {
        var item = Tandem_Codec_V1_Item()
        if coin(&rng) { item.sku = string(&rng) }
        if coin(&rng) { item.quantity = int32(&rng) }
        if coin(&rng) { item.price = double(&rng) }
        item.tags = (0..<count(&rng)).map { _ in string(&rng) }
        if depth > 0 && rng.next() % 4 == 0 { item.child = self.item(&rng, depth: depth - 1) }
        return item
    }

    static func allTypes(_ rng: inout SplitMix64, depth: Int, maps: Bool) -> Tandem_Codec_V1_AllTypes {
        var m = Tandem_Codec_V1_AllTypes()
        if coin(&rng) { m.fInt32 = int32(&rng) }
        if coin(&rng) { m.fInt64 = int64(&rng) }
        if coin(&rng) { m.fUint32 = uint32(&rng) }
        if coin(&rng) { m.fUint64 = uint64(&rng) }
        if coin(&rng) { m.fSint32 = int32(&rng) }
        if coin(&rng) { m.fSint64 = int64(&rng) }
        if coin(&rng) { m.fFixed32 = uint32(&rng) }
        if coin(&rng) { m.fFixed64 = uint64(&rng) }
        if coin(&rng) { m.fSfixed32 = int32(&rng) }
        if coin(&rng) { m.fSfixed64 = int64(&rng) }
        if coin(&rng) { m.fFloat = float(&rng) }
        if coin(&rng) { m.fDouble = double(&rng) }
        if coin(&rng) { m.fBool = coin(&rng) }
        if coin(&rng) { m.fString = string(&rng) }
        if coin(&rng) { m.fBytes = bytes(&rng) }
        if coin(&rng) { m.fColor = color(&rng) }
        if coin(&rng) { m.fItem = item(&rng, depth: 2) }
        if coin(&rng) { m.oInt32 = int32(&rng) }
        if coin(&rng) { m.oString = string(&rng) }
        if coin(&rng) { m.oColor = color(&rng) }
        if coin(&rng) { m.oDouble = double(&rng) }
        if coin(&rng) { m.oBytes = bytes(&rng) }
        m.rInt32 = (0..<count(&rng)).map { _ in int32(&rng) }
        m.rInt64 = (0..<count(&rng)).map { _ in int64(&rng) }
        m.rUint32 = (0..<count(&rng)).map { _ in uint32(&rng) }
        m.rUint64 = (0..<count(&rng)).map { _ in uint64(&rng) }
        m.rSint32 = (0..<count(&rng)).map { _ in int32(&rng) }
        m.rSint64 = (0..<count(&rng)).map { _ in int64(&rng) }
        m.rFixed32 = (0..<count(&rng)).map { _ in uint32(&rng) }
        m.rFixed64 = (0..<count(&rng)).map { _ in uint64(&rng) }
        m.rSfixed32 = (0..<count(&rng)).map { _ in int32(&rng) }
        m.rSfixed64 = (0..<count(&rng)).map { _ in int64(&rng) }
        m.rFloat = (0..<count(&rng)).map { _ in float(&rng) }
        m.rDouble = (0..<count(&rng)).map { _ in double(&rng) }
        m.rBool = (0..<count(&rng)).map { _ in coin(&rng) }
        m.rString = (0..<count(&rng)).map { _ in string(&rng) }
        m.rBytes = (0..<count(&rng)).map { _ in bytes(&rng) }
        m.rColor = (0..<count(&rng)).map { _ in color(&rng) }
        m.rItem = (0..<count(&rng, 2)).map { _ in item(&rng, depth: 1) }
        m.uInt32 = (0..<count(&rng)).map { _ in int32(&rng) }
        m.uSint64 = (0..<count(&rng)).map { _ in int64(&rng) }
        m.uFixed32 = (0..<count(&rng)).map { _ in uint32(&rng) }
        m.uDouble = (0..<count(&rng)).map { _ in double(&rng) }
        m.uBool = (0..<count(&rng)).map { _ in coin(&rng) }
        m.uColor = (0..<count(&rng)).map { _ in color(&rng) }
        if maps {
            for _ in 0..<count(&rng) { m.mInt32String[int32(&rng)] = string(&rng) }
            for _ in 0..<count(&rng) { m.mInt64Int64[int64(&rng)] = int64(&rng) }
            for _ in 0..<count(&rng) { m.mUint32Bytes[uint32(&rng)] = bytes(&rng) }
            for _ in 0..<count(&rng, 2) { m.mBoolColor[coin(&rng)] = color(&rng) }
            for _ in 0..<count(&rng, 3) { m.mStringItem[string(&rng)] = item(&rng, depth: 1) }
            for _ in 0..<count(&rng) { m.mSint64Double[int64(&rng)] = double(&rng) }
            for _ in 0..<count(&rng) { m.mFixed32String[uint32(&rng)] = string(&rng) }
        }
        switch rng.next() % 5 {
        case 0: m.cInt32 = int32(&rng)
        case 1: m.cString = string(&rng)
        case 2: m.cItem = item(&rng, depth: 1)
        case 3: m.cColor = color(&rng)
        default: break
        }
        if depth > 0 && rng.next() % 3 == 0 { m.recursive = allTypes(&rng, depth: depth - 1, maps: maps) }
        if depth > 0 && rng.next() % 3 == 0 {
            m.children = (0..<count(&rng, 2)).map { _ in allTypes(&rng, depth: depth - 1, maps: maps) }
        }
        if coin(&rng) { m.farField = int32(&rng) }
        return m
    }

    static func dynamic(_ g: Tandem_Codec_V1_Item) throws -> DynamicMessage {
        var m = try WireFixtures.empty(WireFixtures.item())
        try m.set(named: "sku", to: .string(g.sku))
        try m.set(named: "quantity", to: .int32(g.quantity))
        try m.set(named: "price", to: .double(g.price))
        try m.setRepeated(named: "tags", to: g.tags.map { .string($0) })
        if g.hasChild { try m.set(named: "child", to: .message(dynamic(g.child))) }
        return m
    }

    static func dynamic(_ g: Tandem_Codec_V1_AllTypes) throws -> DynamicMessage {
        var m = try WireFixtures.empty(WireFixtures.allTypes())
        try m.set(named: "f_int32", to: .int32(g.fInt32))
        try m.set(named: "f_int64", to: .int64(g.fInt64))
        try m.set(named: "f_uint32", to: .uint32(g.fUint32))
        try m.set(named: "f_uint64", to: .uint64(g.fUint64))
        try m.set(named: "f_sint32", to: .int32(g.fSint32))
        try m.set(named: "f_sint64", to: .int64(g.fSint64))
        try m.set(named: "f_fixed32", to: .uint32(g.fFixed32))
        try m.set(named: "f_fixed64", to: .uint64(g.fFixed64))
        try m.set(named: "f_sfixed32", to: .int32(g.fSfixed32))
        try m.set(named: "f_sfixed64", to: .int64(g.fSfixed64))
        try m.set(named: "f_float", to: .float(g.fFloat))
        try m.set(named: "f_double", to: .double(g.fDouble))
        try m.set(named: "f_bool", to: .bool(g.fBool))
        try m.set(named: "f_string", to: .string(g.fString))
        try m.set(named: "f_bytes", to: .bytes([UInt8](g.fBytes)))
        try m.set(named: "f_color", to: .enumValue(Int32(g.fColor.rawValue)))
        if g.hasFItem { try m.set(named: "f_item", to: .message(dynamic(g.fItem))) }
        if g.hasOInt32 { try m.set(named: "o_int32", to: .int32(g.oInt32)) }
        if g.hasOString { try m.set(named: "o_string", to: .string(g.oString)) }
        if g.hasOColor { try m.set(named: "o_color", to: .enumValue(Int32(g.oColor.rawValue))) }
        if g.hasODouble { try m.set(named: "o_double", to: .double(g.oDouble)) }
        if g.hasOBytes { try m.set(named: "o_bytes", to: .bytes([UInt8](g.oBytes))) }
        try m.setRepeated(named: "r_int32", to: g.rInt32.map { .int32($0) })
        try m.setRepeated(named: "r_int64", to: g.rInt64.map { .int64($0) })
        try m.setRepeated(named: "r_uint32", to: g.rUint32.map { .uint32($0) })
        try m.setRepeated(named: "r_uint64", to: g.rUint64.map { .uint64($0) })
        try m.setRepeated(named: "r_sint32", to: g.rSint32.map { .int32($0) })
        try m.setRepeated(named: "r_sint64", to: g.rSint64.map { .int64($0) })
        try m.setRepeated(named: "r_fixed32", to: g.rFixed32.map { .uint32($0) })
        try m.setRepeated(named: "r_fixed64", to: g.rFixed64.map { .uint64($0) })
        try m.setRepeated(named: "r_sfixed32", to: g.rSfixed32.map { .int32($0) })
        try m.setRepeated(named: "r_sfixed64", to: g.rSfixed64.map { .int64($0) })
        try m.setRepeated(named: "r_float", to: g.rFloat.map { .float($0) })
        try m.setRepeated(named: "r_double", to: g.rDouble.map { .double($0) })
        try m.setRepeated(named: "r_bool", to: g.rBool.map { .bool($0) })
        try m.setRepeated(named: "r_string", to: g.rString.map { .string($0) })
        try m.setRepeated(named: "r_bytes", to: g.rBytes.map { .bytes([UInt8]($0)) })
        try m.setRepeated(named: "r_color", to: g.rColor.map { .enumValue(Int32($0.rawValue)) })
        try m.setRepeated(named: "r_item", to: g.rItem.map { .message(try dynamic($0)) })
        try m.setRepeated(named: "u_int32", to: g.uInt32.map { .int32($0) })
        try m.setRepeated(named: "u_sint64", to: g.uSint64.map { .int64($0) })
        try m.setRepeated(named: "u_fixed32", to: g.uFixed32.map { .uint32($0) })
        try m.setRepeated(named: "u_double", to: g.uDouble.map { .double($0) })
        try m.setRepeated(named: "u_bool", to: g.uBool.map { .bool($0) })
        try m.setRepeated(named: "u_color", to: g.uColor.map { .enumValue(Int32($0.rawValue)) })
        for (k, v) in g.mInt32String { try m.setMapValue(.string(v), forKey: .int32(k), inNamed: "m_int32_string") }
        for (k, v) in g.mInt64Int64 { try m.setMapValue(.int64(v), forKey: .int64(k), inNamed: "m_int64_int64") }
        for (k, v) in g.mUint32Bytes {
            try m.setMapValue(.bytes([UInt8](v)), forKey: .uint32(k), inNamed: "m_uint32_bytes")
        }
        for (k, v) in g.mBoolColor {
            try m.setMapValue(.enumValue(Int32(v.rawValue)), forKey: .bool(k), inNamed: "m_bool_color")
        }
        for (k, v) in g.mStringItem {
            try m.setMapValue(.message(try dynamic(v)), forKey: .string(k), inNamed: "m_string_item")
        }
        for (k, v) in g.mSint64Double { try m.setMapValue(.double(v), forKey: .int64(k), inNamed: "m_sint64_double") }
        for (k, v) in g.mFixed32String {
            try m.setMapValue(.string(v), forKey: .uint32(k), inNamed: "m_fixed32_string")
        }
        switch g.choice {
        case .cInt32(let v)?: try m.set(named: "c_int32", to: .int32(v))
        case .cString(let v)?: try m.set(named: "c_string", to: .string(v))
        case .cItem(let v)?: try m.set(named: "c_item", to: .message(try dynamic(v)))
        case .cColor(let v)?: try m.set(named: "c_color", to: .enumValue(Int32(v.rawValue)))
        case nil: break
        }
        if g.hasRecursive { try m.set(named: "recursive", to: .message(dynamic(g.recursive))) }
        try m.setRepeated(named: "children", to: g.children.map { .message(try dynamic($0)) })
        try m.set(named: "far_field", to: .int32(g.farField))
        return m
    }

    // MARK: proto2

    static func level(_ rng: inout SplitMix64) -> Tandem_Codec_V1_Level {
        Tandem_Codec_V1_Level(rawValue: Int(rng.next() % 3) + 1) ?? .low
    }

    static func legacy(_ rng: inout SplitMix64, depth: Int, maps: Bool) -> Tandem_Codec_V1_Legacy {
        var m = Tandem_Codec_V1_Legacy()
        m.id = int32(&rng)
        if coin(&rng) { m.name = string(&rng) }
        if coin(&rng) { m.big = int64(&rng) }
        if coin(&rng) { m.ratio = double(&rng) }
        if coin(&rng) { m.on = coin(&rng) }
        if coin(&rng) { m.level = level(&rng) }
        if coin(&rng) { m.blob = bytes(&rng) }
        if coin(&rng) { m.fraction = float(&rng) }
        if coin(&rng) { m.u32 = uint32(&rng) }
        if coin(&rng) { m.s32 = int32(&rng) }
        if coin(&rng) { m.fx64 = uint64(&rng) }
        m.rInt32 = (0..<count(&rng)).map { _ in int32(&rng) }
        m.pInt32 = (0..<count(&rng)).map { _ in int32(&rng) }
        m.rLevel = (0..<count(&rng)).map { _ in level(&rng) }
        m.pLevel = (0..<count(&rng)).map { _ in level(&rng) }
        m.rString = (0..<count(&rng)).map { _ in string(&rng) }
        if coin(&rng) {
            var header = Tandem_Codec_V1_Legacy.Header()
            if coin(&rng) { header.title = string(&rng) }
            if coin(&rng) { header.version = int32(&rng) }
            if coin(&rng) {
                var inner = Tandem_Codec_V1_Legacy.Header.Inner()
                if coin(&rng) { inner.stamp = int64(&rng) }
                header.inner = inner
            }
            m.header = header
        }
        m.line = (0..<count(&rng, 3)).map { _ in
            var line = Tandem_Codec_V1_Legacy.Line()
            if coin(&rng) { line.text = string(&rng) }
            if coin(&rng) { line.count = uint32(&rng) }
            return line
        }
        if depth > 0 && rng.next() % 3 == 0 { m.next = legacy(&rng, depth: depth - 1, maps: maps) }
        if maps {
            for _ in 0..<count(&rng) {
                m.mMode[string(&rng)] = coin(&rng) ? Tandem_Codec_V1_Mode.on : Tandem_Codec_V1_Mode.off
            }
        }
        switch rng.next() % 3 {
        case 0: m.pickInt = int32(&rng)
        case 1 where depth > 0: m.pickMsg = legacy(&rng, depth: depth - 1, maps: maps)
        default: break
        }
        return m
    }

    static func dynamic(_ g: Tandem_Codec_V1_Legacy) throws -> DynamicMessage {
        let schema = try WireFixtures.schema()
        var m = try WireFixtures.empty(WireFixtures.legacy())
        if g.hasID { try m.set(named: "id", to: .int32(g.id)) }
        if g.hasName { try m.set(named: "name", to: .string(g.name)) }
        if g.hasBig { try m.set(named: "big", to: .int64(g.big)) }
        if g.hasRatio { try m.set(named: "ratio", to: .double(g.ratio)) }
        if g.hasOn { try m.set(named: "on", to: .bool(g.on)) }
        if g.hasLevel { try m.set(named: "level", to: .enumValue(Int32(g.level.rawValue))) }
        if g.hasBlob { try m.set(named: "blob", to: .bytes([UInt8](g.blob))) }
        if g.hasFraction { try m.set(named: "fraction", to: .float(g.fraction)) }
        if g.hasU32 { try m.set(named: "u32", to: .uint32(g.u32)) }
        if g.hasS32 { try m.set(named: "s32", to: .int32(g.s32)) }
        if g.hasFx64 { try m.set(named: "fx64", to: .uint64(g.fx64)) }
        try m.setRepeated(named: "r_int32", to: g.rInt32.map { .int32($0) })
        try m.setRepeated(named: "p_int32", to: g.pInt32.map { .int32($0) })
        try m.setRepeated(named: "r_level", to: g.rLevel.map { .enumValue(Int32($0.rawValue)) })
        try m.setRepeated(named: "p_level", to: g.pLevel.map { .enumValue(Int32($0.rawValue)) })
        try m.setRepeated(named: "r_string", to: g.rString.map { .string($0) })
        if g.hasHeader, let headerType = schema.message(named: "tandem.codec.v1.Legacy.Header"),
            let innerType = schema.message(named: "tandem.codec.v1.Legacy.Header.Inner")
        {
            var header = DynamicMessage(descriptor: headerType, schema: schema)
            if g.header.hasTitle { try header.set(named: "title", to: .string(g.header.title)) }
            if g.header.hasVersion { try header.set(named: "version", to: .int32(g.header.version)) }
            if g.header.hasInner {
                var inner = DynamicMessage(descriptor: innerType, schema: schema)
                if g.header.inner.hasStamp { try inner.set(named: "stamp", to: .int64(g.header.inner.stamp)) }
                try header.set(named: "inner", to: .message(inner))
            }
            try m.set(named: "header", to: .message(header))
        }
        if let lineType = schema.message(named: "tandem.codec.v1.Legacy.Line") {
            for line in g.line {
                var dynamicLine = DynamicMessage(descriptor: lineType, schema: schema)
                if line.hasText { try dynamicLine.set(named: "text", to: .string(line.text)) }
                if line.hasCount { try dynamicLine.set(named: "count", to: .uint32(line.count)) }
                try m.append(.message(dynamicLine), toNamed: "line")
            }
        }
        if g.hasNext { try m.set(named: "next", to: .message(dynamic(g.next))) }
        for (k, v) in g.mMode {
            try m.setMapValue(.enumValue(Int32(v.rawValue)), forKey: .string(k), inNamed: "m_mode")
        }
        switch g.pick {
        case .pickInt(let v)?: try m.set(named: "pick_int", to: .int32(v))
        case .pickMsg(let v)?: try m.set(named: "pick_msg", to: .message(try dynamic(v)))
        case nil: break
        }
        return m
    }
}
