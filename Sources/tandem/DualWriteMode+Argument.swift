import ArgumentParser
import Tandem

/// `--mode outbox|atomic` parses straight into the store's mode.
extension DualWriteMode: ExpressibleByArgument {}
