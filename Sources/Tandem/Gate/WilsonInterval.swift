/// The Wilson score interval for a binomial proportion: where the true rate lies, given `successes` out of
/// `trials`, at a two-sided confidence level.
///
/// Unlike the normal (Wald) interval it stays inside [0, 1] and does not collapse to a point at 0 or `trials`
/// successes, which matters here: a healthy migration observes proportions very close to 1.
public struct WilsonInterval: Sendable, Hashable {
    /// The lower bound, in [0, 1].
    public let lower: Double
    /// The upper bound, in [0, 1].
    public let upper: Double
    /// The two-sided confidence level the interval was computed at, in (0, 1).
    public let confidence: Double

    /// The Wilson interval for `successes` out of `trials` at `confidence` (for example 0.95).
    ///
    /// With no trials the interval is [0, 1]: nothing is known. Counts out of range are clamped
    /// (`successes` to 0...`trials`).
    public init(successes: Int, trials: Int, confidence: Double) {
        self.init(
            successes: successes, trials: trials, z: NormalDistribution.z(confidence: confidence),
            confidence: confidence)
    }

    /// The interval computed with a precomputed critical value `z` for `confidence`: hot paths compute z once.
    init(successes: Int, trials: Int, z: Double, confidence: Double) {
        self.confidence = confidence
        guard trials > 0 else {
            lower = 0
            upper = 1
            return
        }
        let x = Double(min(max(successes, 0), trials))
        let n = Double(trials)
        let p = x / n
        let z2 = z * z
        let denominator = 1 + z2 / n
        let center = (p + z2 / (2 * n)) / denominator
        let half = z * (p * (1 - p) / n + z2 / (4 * n * n)).squareRoot() / denominator
        // At 0 and n successes the bound on that side is exactly 0 or 1 in exact arithmetic;
        // pin it so that rounding never reports a rate nobody observed.
        lower = x == 0 ? 0 : max(0, center - half)
        upper = x == n ? 1 : min(1, center + half)
    }

    /// An interval with the given bounds.
    init(lower: Double, upper: Double, confidence: Double) {
        self.lower = lower
        self.upper = upper
        self.confidence = confidence
    }

    /// The interval of the complementary proportion (failures instead of successes): [1 - upper, 1 - lower].
    public var complement: WilsonInterval {
        WilsonInterval(lower: 1 - upper, upper: 1 - lower, confidence: confidence)
    }
}
