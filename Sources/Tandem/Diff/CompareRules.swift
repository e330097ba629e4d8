import TandemProto

/// The plan's compare rules (`compare.ignore`, `compare.unordered`, mixed presence) resolved per field at init, so
/// that the diff walk reads flags by position instead of building and hashing a schema path per compared field.
///
/// A node holds the rules of one message type at one schema path prefix (`""` for the record, `contacts` for the
/// messages of the `contacts` field). Below a prefix that no rule path extends, every type gets one shared generic
/// node (no ignore, no unordered), so recursive message types resolve to a finite table. A message whose
/// descriptor is not the one a node was built for (a caller-built primary of another type) gets a node built on
/// the spot from the same sets: the rules are the same either way.
final class CompareRules: Sendable {
    struct FieldRule: Sendable {
        let ignored: Bool
        let unordered: Bool
        let mixed: Bool
        /// The node of the field's message values (singular, repeated elements or map values), or -1.
        let child: Int
    }

    struct Node: Sendable {
        let descriptor: MessageDescriptor
        /// The schema path of the node's fields' parent (`""` for the record).
        let prefix: String
        /// The fields compared, in field-number order, and their rules (parallel).
        let fields: [FieldDescriptor]
        let rules: [FieldRule]
    }

    let nodes: [Node]
    private let schema: Schema
    private let ignored: Set<String>
    private let unordered: Set<String>
    private let mixedPresence: Set<String>

    init(
        top: MessageDescriptor, fields: [FieldDescriptor], schema: Schema, ignored: Set<String>,
        unordered: Set<String>, mixedPresence: Set<String>
    ) {
        self.schema = schema
        self.ignored = ignored
        self.unordered = unordered
        self.mixedPresence = mixedPresence
        var builder = Builder(
            schema: schema, ignored: ignored, unordered: unordered, mixedPresence: mixedPresence)
        _ = builder.node(top, prefix: "", fields: fields, generic: false)
        self.nodes = builder.nodes.map { $0! }
    }

    /// The node for the message values of `parent.fields[index]`, for a message of type `descriptor`.
    func child(of parent: Node, at index: Int, for descriptor: MessageDescriptor) -> Node {
        let child = parent.rules[index].child
        if child >= 0 && nodes[child].descriptor === descriptor { return nodes[child] }
        let prefix = DiffPath.field(parent.prefix, parent.fields[index].name)
        var builder = Builder(
            schema: schema, ignored: ignored, unordered: unordered, mixedPresence: mixedPresence, adhoc: true)
        _ = builder.node(descriptor, prefix: prefix, fields: descriptor.fields, generic: false)
        return builder.nodes[0]!
    }

    private struct Builder {
        let schema: Schema
        let ignored: Set<String>
        let unordered: Set<String>
        let mixedPresence: Set<String>
        /// Build one node only (children are resolved on the spot when met).
        var adhoc = false
        var nodes: [Node?] = []
        var generic: [ObjectIdentifier: Int] = [:]

        /// Whether some rule path lies strictly below `prefix`.
        private func hasRules(below prefix: String) -> Bool {
            let head = prefix + "."
            return ignored.contains { $0.hasPrefix(head) } || unordered.contains { $0.hasPrefix(head) }
        }

        mutating func node(_ descriptor: MessageDescriptor, prefix: String, fields: [FieldDescriptor], generic: Bool)
            -> Int
        {
            if generic, let index = self.generic[ObjectIdentifier(descriptor)] { return index }
            let index = nodes.count
            nodes.append(nil)
            if generic { self.generic[ObjectIdentifier(descriptor)] = index }
            var rules: [FieldRule] = []
            rules.reserveCapacity(fields.count)
            for field in fields {
                let path = DiffPath.field(prefix, field.name)
                var child = -1
                if !adhoc, let valueType = messageValueType(of: field) {
                    let childGeneric = generic || !hasRules(below: path)
                    child = node(valueType, prefix: path, fields: valueType.fields, generic: childGeneric)
                }
                rules.append(
                    FieldRule(
                        ignored: !generic && ignored.contains(path), unordered: !generic && unordered.contains(path),
                        mixed: mixedPresence.contains(descriptor.fullName + "." + field.name), child: child))
            }
            nodes[index] = Node(descriptor: descriptor, prefix: prefix, fields: fields, rules: rules)
            return index
        }

        private func messageValueType(of field: FieldDescriptor) -> MessageDescriptor? {
            if field.isMap {
                guard let entry = schema.messageType(of: field), entry.fields.count == 2 else { return nil }
                return entry.fields[1].type.isMessage ? schema.messageType(of: entry.fields[1]) : nil
            }
            return field.type.isMessage ? schema.messageType(of: field) : nil
        }
    }
}
