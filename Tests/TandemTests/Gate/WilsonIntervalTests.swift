import Tandem
import Testing

@Suite("Wilson interval")
struct WilsonIntervalTests {
    /// References computed with mpmath from the Wilson formula (40 digits).
    @Test(arguments: [
        (81, 263, 0.95, 0.25528851987827424, 0.36620957698280006),
        (0, 10, 0.95, 0.0, 0.27753279986288917),
        (10, 10, 0.95, 0.72246720013711083, 1.0),
        (50, 100, 0.95, 0.40383153036599565, 0.59616846963400435),
        (9999, 10000, 0.95, 0.99943373110259866, 0.99998234732639888),
        (1, 1000, 0.99, 0.00011741635361832113, 0.0084605662199816945),
        (999_990, 1_000_000, 0.95, 0.99998159062760478, 0.99999456800516016),
    ])
    func boundsMatchReference(successes: Int, trials: Int, confidence: Double, lower: Double, upper: Double) {
        let interval = WilsonInterval(successes: successes, trials: trials, confidence: confidence)
        #expect(abs(interval.lower - lower) < 1e-12)
        #expect(abs(interval.upper - upper) < 1e-12)
        #expect(interval.confidence == confidence)
    }

    @Test func noTrialsGiveTheWholeUnitInterval() {
        let interval = WilsonInterval(successes: 0, trials: 0, confidence: 0.95)
        #expect(interval.lower == 0)
        #expect(interval.upper == 1)
    }

    @Test func zeroAndAllSuccessesPinTheOuterBound() {
        #expect(WilsonInterval(successes: 0, trials: 1_000_000, confidence: 0.95).lower == 0)
        #expect(WilsonInterval(successes: 1_000_000, trials: 1_000_000, confidence: 0.95).upper == 1)
    }

    @Test func outOfRangeCountsAreClamped() {
        let over = WilsonInterval(successes: 12, trials: 10, confidence: 0.95)
        #expect(over == WilsonInterval(successes: 10, trials: 10, confidence: 0.95))
        let under = WilsonInterval(successes: -3, trials: 10, confidence: 0.95)
        #expect(under == WilsonInterval(successes: 0, trials: 10, confidence: 0.95))
    }

    @Test func complementSwapsAndMirrorsBounds() {
        let interval = WilsonInterval(successes: 81, trials: 263, confidence: 0.95)
        let failures = WilsonInterval(successes: 263 - 81, trials: 263, confidence: 0.95)
        #expect(abs(interval.complement.lower - failures.lower) < 1e-12)
        #expect(abs(interval.complement.upper - failures.upper) < 1e-12)
    }

    /// One to three events use the exact Poisson bound; from four on, the Wilson bound.
    @Test(arguments: [(1, 1000), (2, 1000), (3, 5000), (4, 1000), (40, 1000)])
    func rareEventLowerBoundFollowsPoissonThenWilson(events: Int, trials: Int) {
        let bound = WilsonInterval.rareEventLowerBound(events: events, trials: trials, confidence: 0.95)
        #expect(abs(bound - referenceTripLower95(events: events, trials: trials)) < 1e-12)
    }

    /// The reason for the modification: one mismatch in 1,000 must not prove a rate above 1e-4.
    @Test func singleRareEventDoesNotProveRateAboveBudget() {
        #expect(WilsonInterval(successes: 1, trials: 1000, confidence: 0.95).lower > 1e-4)
        #expect(WilsonInterval.rareEventLowerBound(events: 1, trials: 1000, confidence: 0.95) < 1e-4)
        #expect(WilsonInterval.rareEventLowerBound(events: 0, trials: 1000, confidence: 0.95) == 0)
    }
}
