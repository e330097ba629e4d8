extension DynamicMessage {
    // MARK: Reading

    /// The value of the field at `position` in ``MessageDescriptor/fields`` (`.unset` for a position out of range).
    @inlinable
    package func fieldValue(at position: Int) -> FieldValue {
        guard position >= 0 && position < storage.header.count else { return .unset }
        return storage.withUnsafeMutablePointerToElements { $0[position] }
    }

    /// Whether the field numbered `number` is set (a non-empty repeated or map field counts as set).
    public func has(_ number: Int32) -> Bool {
        guard let position = descriptor.position(ofNumber: number) else { return false }
        if case .unset = fieldValue(at: position) { return false }
        return true
    }

    /// Whether the field named `name` is set (a non-empty repeated or map field counts as set).
    public func has(named name: String) -> Bool {
        guard let position = descriptor.position(ofName: name) else { return false }
        if case .unset = fieldValue(at: position) { return false }
        return true
    }

    /// The value of the singular field numbered `number`: its value when set, else its default (an empty message
    /// for message fields). `nil` when the field is not declared or is repeated or a map.
    public func get(_ number: Int32) -> ProtoValue? {
        guard let position = descriptor.position(ofNumber: number) else { return nil }
        return singularValue(at: position)
    }

    /// The value of the singular field named `name`: its value when set, else its default. `nil` when the field is
    /// not declared or is repeated or a map.
    public func get(named name: String) -> ProtoValue? {
        guard let position = descriptor.position(ofName: name) else { return nil }
        return singularValue(at: position)
    }

    private func singularValue(at position: Int) -> ProtoValue? {
        // The descriptor's fields are read in place, not copied (a FieldDescriptor copy retains each string).
        let descriptor = self.descriptor
        guard !descriptor.fields[position].isRepeated else { return nil }
        if case .single(let value) = fieldValue(at: position) { return value }
        return ProtoValue.defaultValue(of: descriptor.fields[position], schema: schema)
    }

    /// The elements of the repeated field numbered `number` (empty when unset, undeclared, or not repeated).
    public func repeatedValues(_ number: Int32) -> [ProtoValue] {
        guard let position = descriptor.position(ofNumber: number) else { return [] }
        if case .repeated(let values) = fieldValue(at: position) { return values }
        return []
    }

    /// The elements of the repeated field named `name` (empty when unset, undeclared, or not repeated).
    public func repeatedValues(named name: String) -> [ProtoValue] {
        guard let position = descriptor.position(ofName: name) else { return [] }
        if case .repeated(let values) = fieldValue(at: position) { return values }
        return []
    }

    /// The entries of the map field numbered `number` (empty when unset, undeclared, or not a map).
    public func mapEntries(_ number: Int32) -> [ProtoValue: ProtoValue] {
        guard let position = descriptor.position(ofNumber: number) else { return [:] }
        if case .map(let entries) = fieldValue(at: position) { return entries }
        return [:]
    }

    /// The entries of the map field named `name` (empty when unset, undeclared, or not a map).
    public func mapEntries(named name: String) -> [ProtoValue: ProtoValue] {
        guard let position = descriptor.position(ofName: name) else { return [:] }
        if case .map(let entries) = fieldValue(at: position) { return entries }
        return [:]
    }

    /// The value stored under `key` in the map field numbered `number`, if any.
    public func mapValue(_ number: Int32, key: ProtoValue) -> ProtoValue? {
        guard let position = descriptor.position(ofNumber: number) else { return nil }
        if case .map(let entries) = fieldValue(at: position) { return entries[key] }
        return nil
    }

    /// The member of the oneof at `oneofIndex` (in ``MessageDescriptor/oneofs``) that is set, if any.
    public func whichOneof(_ oneofIndex: Int) -> FieldDescriptor? {
        let descriptor = self.descriptor
        guard oneofIndex >= 0 && oneofIndex < descriptor.oneofs.count else { return nil }
        for number in descriptor.oneofs[oneofIndex].fieldNumbers {
            if let position = descriptor.position(ofNumber: number), case .single = fieldValue(at: position) {
                return descriptor.fields[position]
            }
        }
        return nil
    }

    /// The member of the oneof named `name` that is set, if any.
    public func whichOneof(named name: String) -> FieldDescriptor? {
        guard let index = descriptor.oneofs.firstIndex(where: { $0.name == name }) else { return nil }
        return whichOneof(index)
    }

    // MARK: Writing

    /// Sets the singular field numbered `number`, clearing the other members of its oneof.
    ///
    /// An implicit-presence proto3 field set to its default becomes unset (protobuf cannot tell the two apart).
    /// - Throws: ``DynamicMessageError`` when the field is undeclared, repeated, or `value` does not fit its type.
    public mutating func set(_ number: Int32, to value: ProtoValue) throws(DynamicMessageError) {
        try set(at: try position(number), to: value)
    }

    /// Sets the singular field named `name`, clearing the other members of its oneof.
    ///
    /// - Throws: ``DynamicMessageError`` when the field is undeclared, repeated, or `value` does not fit its type.
    public mutating func set(named name: String, to value: ProtoValue) throws(DynamicMessageError) {
        try set(at: try position(name), to: value)
    }

    /// Replaces the elements of the repeated field numbered `number`.
    ///
    /// - Throws: ``DynamicMessageError`` when the field is undeclared, not repeated, or an element does not fit.
    public mutating func setRepeated(_ number: Int32, to values: [ProtoValue]) throws(DynamicMessageError) {
        try setRepeated(at: try position(number), to: values)
    }

    /// Replaces the elements of the repeated field named `name`.
    ///
    /// - Throws: ``DynamicMessageError`` when the field is undeclared, not repeated, or an element does not fit.
    public mutating func setRepeated(named name: String, to values: [ProtoValue]) throws(DynamicMessageError) {
        try setRepeated(at: try position(name), to: values)
    }

    /// Stores `value` under `key` in the map field named `name` (replacing any value under that key).
    ///
    /// - Throws: ``DynamicMessageError`` when the field is undeclared, not a map, or the key or value does not fit.
    public mutating func setMapValue(_ value: ProtoValue, forKey key: ProtoValue, inNamed name: String)
        throws(DynamicMessageError)
    {
        try setMapValue(value, forKey: key, in: descriptor.fields[try position(name)].number)
    }

    private mutating func setRepeated(at position: Int, to values: [ProtoValue]) throws(DynamicMessageError) {
        let field = descriptor.fields[position]
        guard field.isRepeated && !field.isMap else { throw error(.notRepeated, field) }
        for value in values where !value.fits(field) { throw error(.typeMismatch, field) }
        replaceSlot(at: position, with: values.isEmpty ? .unset : .repeated(values))
    }

    /// Appends `value` to the repeated field numbered `number`.
    ///
    /// - Throws: ``DynamicMessageError`` when the field is undeclared, not repeated, or `value` does not fit.
    public mutating func append(_ value: ProtoValue, to number: Int32) throws(DynamicMessageError) {
        try append(value, at: try position(number))
    }

    /// Appends `value` to `field` when it is repeated, else sets it (what a text-format or option value does).
    package mutating func store(_ value: ProtoValue, in field: FieldDescriptor) throws(DynamicMessageError) {
        if field.isRepeated {
            try append(value, to: field.number)
        } else {
            try set(field.number, to: value)
        }
    }

    /// Appends `value` to the repeated field named `name`.
    ///
    /// - Throws: ``DynamicMessageError`` when the field is undeclared, not repeated, or `value` does not fit.
    public mutating func append(_ value: ProtoValue, toNamed name: String) throws(DynamicMessageError) {
        try append(value, at: try position(name))
    }

    /// Stores `value` under `key` in the map field numbered `number` (replacing any value under that key).
    ///
    /// - Throws: ``DynamicMessageError`` when the field is undeclared, not a map, or the key or value does not fit.
    public mutating func setMapValue(_ value: ProtoValue, forKey key: ProtoValue, in number: Int32)
        throws(DynamicMessageError)
    {
        let position = try position(number)
        let field = descriptor.fields[position]
        guard field.isMap, let entry = schema.messageType(of: field), entry.fields.count == 2 else {
            throw error(.notMap, field)
        }
        guard key.fits(entry.fields[0]), value.fits(entry.fields[1]) else { throw error(.typeMismatch, field) }
        makeUnique()
        storage.withUnsafeMutablePointerToElements { slots in
            var entries: [ProtoValue: ProtoValue] = [:]
            if case .map(let existing) = slots[position] { entries = existing }
            slots[position] = .unset
            entries[key] = value
            slots[position] = .map(entries)
        }
    }

    /// Removes the entry under `key` from the map field numbered `number`, if present.
    public mutating func removeMapValue(forKey key: ProtoValue, in number: Int32) {
        guard let position = descriptor.position(ofNumber: number) else { return }
        guard case .map(var entries) = fieldValue(at: position) else { return }
        replaceSlot(at: position, with: .unset)
        entries[key] = nil
        replaceSlot(at: position, with: entries.isEmpty ? .unset : .map(entries))
    }

    /// Unsets the field numbered `number` (empties a repeated or map field); undeclared numbers are ignored.
    public mutating func clear(_ number: Int32) {
        guard let position = descriptor.position(ofNumber: number) else { return }
        replaceSlot(at: position, with: .unset)
    }

    /// Unsets the field named `name` (empties a repeated or map field); undeclared names are ignored.
    public mutating func clear(named name: String) {
        guard let position = descriptor.position(ofName: name) else { return }
        replaceSlot(at: position, with: .unset)
    }

    /// Replaces the value of the field at `position` as it is, without checks (`.unset` clears it).
    ///
    /// The caller keeps the message's invariants: values fit the field's type, repeated and map values are
    /// non-empty, at most one member of a oneof is set.
    @inlinable
    package mutating func replaceSlot(at position: Int, with value: FieldValue) {
        guard position >= 0 && position < storage.header.count else { return }
        makeUnique()
        storage.withUnsafeMutablePointerToElements { $0[position] = value }
    }

    // MARK: Helpers

    private func position(_ number: Int32) throws(DynamicMessageError) -> Int {
        guard let position = descriptor.position(ofNumber: number) else {
            throw DynamicMessageError(.unknownField, messageType: descriptor.fullName, field: String(number))
        }
        return position
    }

    private func position(_ name: String) throws(DynamicMessageError) -> Int {
        guard let position = descriptor.position(ofName: name) else {
            throw DynamicMessageError(.unknownField, messageType: descriptor.fullName, field: name)
        }
        return position
    }

    private func error(_ code: DynamicMessageError.Code, _ field: FieldDescriptor) -> DynamicMessageError {
        DynamicMessageError(code, messageType: descriptor.fullName, field: field.name)
    }

    private mutating func set(at position: Int, to value: ProtoValue) throws(DynamicMessageError) {
        let descriptor = self.descriptor
        guard !descriptor.fields[position].isRepeated else { throw error(.notSingular, descriptor.fields[position]) }
        guard value.fits(descriptor.fields[position]) else { throw error(.typeMismatch, descriptor.fields[position]) }
        if let oneof = descriptor.fields[position].oneofIndex { clearOneof(oneof, except: position) }
        if !descriptor.fields[position].hasPresence && value.isImplicitDefault {
            replaceSlot(at: position, with: .unset)
        } else {
            replaceSlot(at: position, with: .single(value))
        }
    }

    private mutating func append(_ value: ProtoValue, at position: Int) throws(DynamicMessageError) {
        let field = descriptor.fields[position]
        guard field.isRepeated && !field.isMap else { throw error(.notRepeated, field) }
        guard value.fits(field) else { throw error(.typeMismatch, field) }
        makeUnique()
        storage.withUnsafeMutablePointerToElements { slots in
            guard case .repeated(var values) = slots[position] else {
                slots[position] = .repeated([value])
                return
            }
            slots[position] = .unset
            values.append(value)
            slots[position] = .repeated(values)
        }
    }

    /// Unsets every member of the oneof at `oneofIndex` but the field at `keep`.
    mutating func clearOneof(_ oneofIndex: Int, except keep: Int) {
        let descriptor = self.descriptor
        guard oneofIndex < descriptor.oneofs.count else { return }
        for number in descriptor.oneofs[oneofIndex].fieldNumbers {
            if let position = descriptor.position(ofNumber: number), position != keep {
                replaceSlot(at: position, with: .unset)
            }
        }
    }
}
