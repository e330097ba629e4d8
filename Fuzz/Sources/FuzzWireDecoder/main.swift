import FuzzSupport
import TandemProto

/// The wire decoder and validator on arbitrary bytes, as one of the fixture's message types (the first byte picks
/// which). Invariants: what the validator vouches for decodes (it may decline valid payloads, never accept a bad one),
/// and a decoded message re-encodes to bytes that decode and re-encode to the same bytes.
let validator = WireValidator(schema: FuzzSupport.codec)

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzWireDecoder(_ data: UnsafeRawPointer, _ count: Int) -> CInt {
    guard let (selector, bytes) = FuzzSupport.split(data, count), !FuzzSupport.messages.isEmpty else { return 0 }
    let schema = FuzzSupport.codec
    let descriptor = FuzzSupport.messages[Int(selector) % FuzzSupport.messages.count]
    let decoded = try? DynamicMessage(decoding: bytes, as: descriptor, schema: schema)
    if validator.unknownFieldCount(of: bytes, as: descriptor) != nil && decoded == nil {
        FuzzSupport.finding("the validator vouched for a \(descriptor.fullName) payload the decoder refuses")
    }
    guard let message = decoded else { return 0 }
    let encoded = message.serializedBytes()
    guard let again = try? DynamicMessage(decoding: encoded, as: descriptor, schema: schema) else {
        FuzzSupport.finding("re-encoded \(descriptor.fullName) does not decode")
    }
    if again.serializedBytes() != encoded {
        FuzzSupport.finding("re-encoding \(descriptor.fullName) is not stable")
    }
    return 0
}
