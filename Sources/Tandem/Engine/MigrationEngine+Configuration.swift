import Logging
import TandemProto

extension MigrationEngine {
    /// Settings of an engine, all defaulted.
    public struct Configuration: Sendable {
        /// How the two stores are written (mode, durability, group commit).
        public var writer: DualWriter.Configuration
        /// How many mismatching keys the run keeps with their diffs (the report's `mismatches`).
        public var maxSamples: Int
        /// How many samples each mismatch group keeps.
        public var samplesPerGroup: Int
        /// How long a comparison waits before re-reading rows of different writes (`seq` differs).
        public var inFlightRetryDelay: Duration
        /// Limits for decoding stored payloads.
        public var decoding: WireDecodingOptions
        /// The clock of the gate and the breaker (replay drives a manual clock from traffic timestamps).
        public var clock: any TandemClock
        /// Where transitions and write failures are logged; nothing is logged when `nil`.
        public var logger: Logger?

        /// Creates a configuration.
        public init(
            writer: DualWriter.Configuration = .init(),
            maxSamples: Int = 1000,
            samplesPerGroup: Int = 10,
            inFlightRetryDelay: Duration = .milliseconds(5),
            decoding: WireDecodingOptions = .init(),
            clock: any TandemClock = WallClock(),
            logger: Logger? = nil
        ) {
            self.writer = writer
            self.maxSamples = maxSamples
            self.samplesPerGroup = samplesPerGroup
            self.inFlightRetryDelay = inFlightRetryDelay
            self.decoding = decoding
            self.clock = clock
            self.logger = logger
        }
    }
}
