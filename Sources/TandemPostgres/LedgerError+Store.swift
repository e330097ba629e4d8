import Tandem

extension LedgerError {
    /// A store error of the ledger's connection, as a ledger error naming the same URL.
    init(_ error: StoreError, fallback: Code) {
        let code: Code =
            switch error.code {
            case .connectionLost, .openFailed: .openFailed
            case .readOnly: .readOnly
            case .full: .full
            case .locked: .locked
            default: fallback
            }
        self.init(code: code, path: error.path ?? "", message: error.message)
    }
}
