import SwiftProtobuf

extension ProtoParser {
    // MARK: - Services

    mutating func parseService(path: [Int32]) throws(ProtoError) -> Google_Protobuf_ServiceDescriptorProto {
        var service = Google_Protobuf_ServiceDescriptorProto()
        service.name = try blockName("service name", path: path)
        while try nextStatement() {
            if at("option") {
                _ = next()
                try parseOptionStatement(into: &service.options, owner: path + [3], kind: .service)
            } else if at("rpc") {
                _ = next()
                let methodPath = path + [2, Int32(service.method.count)]
                var method = Google_Protobuf_MethodDescriptorProto()
                let methodName = try identifier("method name")
                method.name = methodName.text
                locations[methodPath] = location(of: methodName)
                locations[methodPath + [1]] = location(of: methodName)
                try expect("(")
                if at("stream") && tokens[index + 1].text != ")" {
                    _ = next()
                    method.clientStreaming = true
                }
                let inputToken = current
                method.inputType = try typeName().0
                locations[methodPath + [2]] = location(of: inputToken)
                try expect(")")
                try expect("returns")
                try expect("(")
                if at("stream") && tokens[index + 1].text != ")" {
                    _ = next()
                    method.serverStreaming = true
                }
                let outputToken = current
                method.outputType = try typeName().0
                locations[methodPath + [3]] = location(of: outputToken)
                try expect(")")
                if tryConsume("{") {
                    var options = method.options
                    while try nextStatement() {
                        guard at("option") else { throw fail("\"option\" or \"}\"") }
                        _ = next()
                        try parseOptionStatement(into: &options, owner: methodPath + [4], kind: .method)
                    }
                    method.options = options
                    _ = tryConsume(";")
                } else {
                    try expect(";")
                }
                service.method.append(method)
            } else {
                throw fail("\"rpc\", \"option\" or \"}\"")
            }
        }
        return service
    }
}
