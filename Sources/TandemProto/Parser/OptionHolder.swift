/// A message type made of extension fields, used to encode extension values with the ordinary encoder: its canonical
/// bytes are the extensions' wire form (numbers in order, packed where the extension is packed).
enum OptionHolder {
    static func descriptor(for extensions: [FieldDescriptor], name: String) -> MessageDescriptor {
        MessageDescriptor(
            fullName: name, fields: extensions, oneofs: [], isMapEntry: false, isProto3: false, index: -1,
            file: "")
    }
}

extension OptionHolder {
    /// The fields of `bytes` reordered by field number (stable within a number), as protoc serializes extensions;
    /// the bytes unchanged if they do not parse.
    static func sortedByNumber(_ bytes: [UInt8]) -> [UInt8] {
        var fields: [(number: Int32, range: Range<Int>)] = []
        let parsed: Bool = bytes.withUnsafeBytes { buffer in
            var reader = WireReader(buffer)
            do {
                while let (number, wireType) = try reader.nextTag() {
                    let start = reader.tagOffset
                    try reader.skipField(wireType: wireType, fieldNumber: number, maxDepth: 100)
                    fields.append((number, start..<reader.offset))
                }
                return true
            } catch {
                return false
            }
        }
        guard parsed else { return bytes }
        let ordered = fields.enumerated().sorted { ($0.element.number, $0.offset) < ($1.element.number, $1.offset) }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        for (_, field) in ordered { out.append(contentsOf: bytes[field.range]) }
        return out
    }
}
