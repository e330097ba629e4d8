/// A message or enum of a pool: what whole-schema pairing needs of either.
protocol PooledDeclaration {
    var fullName: String { get }
    var relativeName: String { get }
    var file: String { get }
    var path: [Int32] { get }
}
