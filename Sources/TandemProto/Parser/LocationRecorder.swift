/// The parser's table of element locations; when disabled it records nothing (a compilation that needs no
/// locations keeps no table).
struct LocationRecorder {
    let enabled: Bool
    private(set) var table: [[Int32]: SourceLocation] = [:]

    init(enabled: Bool) {
        self.enabled = enabled
    }

    subscript(path: [Int32]) -> SourceLocation? {
        get { table[path] }
        set {
            guard enabled else { return }
            table[path] = newValue
        }
    }
}
