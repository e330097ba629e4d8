/// A protobuf payload could not be decoded: what is wrong, the byte offset where it was found, and the field
/// path of the message being decoded there.
public struct WireDecodingError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What is wrong with the payload.
    public struct Code: ErrorCode {
        /// The code's name, as messages and reports spell it.
        public var rawValue: String
        /// A code named `rawValue`; the static members are the codes Tandem throws.
        public init(rawValue: String) { self.rawValue = rawValue }

        /// The input ends inside a varint.
        public static let truncatedVarint = Code(rawValue: "truncatedVarint")
        /// A varint runs longer than 10 bytes.
        public static let malformedVarint = Code(rawValue: "malformedVarint")
        /// The input ends inside a fixed32 or fixed64 value.
        public static let truncatedFixed = Code(rawValue: "truncatedFixed")
        /// A length-delimited field declares more bytes than the input has left.
        public static let truncatedLength = Code(rawValue: "truncatedLength")
        /// A length-delimited field runs past the end of the message or group that contains it, or declares a
        /// length of 2 GiB or more.
        public static let lengthPastEnd = Code(rawValue: "lengthPastEnd")
        /// A packed field's length is not a whole number of fixed-width values.
        public static let invalidPackedLength = Code(rawValue: "invalidPackedLength")
        /// A tag carries wire type 6 or 7, which protobuf does not define.
        public static let invalidWireType = Code(rawValue: "invalidWireType")
        /// An end-group tag closes no open group, or closes a group with a different field number.
        public static let unmatchedEndGroup = Code(rawValue: "unmatchedEndGroup")
        /// A start-group tag is never closed before its enclosing message ends.
        public static let unterminatedGroup = Code(rawValue: "unterminatedGroup")
        /// A tag carries field number 0.
        public static let fieldNumberZero = Code(rawValue: "fieldNumberZero")
        /// A tag carries a field number above 536,870,911 (2^29 - 1).
        public static let fieldNumberOutOfRange = Code(rawValue: "fieldNumberOutOfRange")
        /// A string field that requires UTF-8 (proto3) holds bytes that are not valid UTF-8.
        public static let invalidUTF8 = Code(rawValue: "invalidUTF8")
        /// Messages and groups are nested deeper than ``WireDecodingOptions/maxDepth``.
        public static let depthLimitExceeded = Code(rawValue: "depthLimitExceeded")
        /// The payload is larger than ``WireDecodingOptions/maxSize``.
        public static let sizeLimitExceeded = Code(rawValue: "sizeLimitExceeded")
    }

    /// What is wrong with the payload.
    public var code: Code
    /// The offset, from the start of the whole payload, of the first byte of the element that is wrong (the tag,
    /// varint or length prefix).
    public var offset: Int
    /// The path of the field being decoded (`items[2].sku`, `attrs["k"]`); empty for the top-level message.
    public var fieldPath: String

    /// Creates a decoding error.
    public init(_ code: Code, offset: Int, fieldPath: String = "") {
        self.code = code
        self.offset = offset
        self.fieldPath = fieldPath
    }

    /// The error as one line: code, field path (`$` for the top-level message) and byte offset.
    public var description: String {
        "\(code.rawValue) at \(fieldPath.isEmpty ? "$" : fieldPath) (byte offset \(offset)): \(explanation)"
    }

    private var explanation: String {
        switch code {
        case .truncatedVarint: return "the payload ends inside a varint"
        case .malformedVarint: return "a varint is longer than 10 bytes"
        case .truncatedFixed: return "the payload ends inside a fixed-width value"
        case .truncatedLength: return "a length prefix declares more bytes than the payload has"
        case .lengthPastEnd: return "a length prefix runs past the end of its enclosing message"
        case .invalidPackedLength: return "a packed field's length is not a multiple of its element size"
        case .invalidWireType: return "wire type 6 or 7 is not defined"
        case .unmatchedEndGroup: return "an end-group tag does not match an open group"
        case .unterminatedGroup: return "a group is not closed"
        case .fieldNumberZero: return "field number 0 is not allowed"
        case .fieldNumberOutOfRange: return "field number is above 536870911"
        case .invalidUTF8: return "a string field is not valid UTF-8"
        case .depthLimitExceeded: return "messages are nested deeper than the decoding depth limit"
        case .sizeLimitExceeded: return "the payload is larger than the decoding size limit"
        default: return "the payload is not valid protobuf"
        }
    }

    /// The same error with `component` (a field name, `items[2]`, `attrs["k"]`) prepended to its path.
    func prefixed(with component: String) -> WireDecodingError {
        var copy = self
        copy.fieldPath = fieldPath.isEmpty ? component : component + "." + fieldPath
        return copy
    }
}
