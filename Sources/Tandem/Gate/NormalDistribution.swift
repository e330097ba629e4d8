import Foundation

/// The standard normal distribution: the quantiles that confidence intervals are built from.
package enum NormalDistribution {
    /// The quantile (inverse CDF) of the standard normal distribution at probability `p`.
    ///
    /// Accurate to about 1e-15 relative error over (0, 1). Returns `-infinity` for `p <= 0`,
    /// `+infinity` for `p >= 1` and NaN for NaN.
    package static func quantile(_ p: Double) -> Double {
        if p.isNaN { return .nan }
        if p <= 0 { return -.infinity }
        if p >= 1 { return .infinity }
        let x = acklam(p)
        // Acklam's rational approximation alone is good to 1.15e-9; one Halley step against the exact CDF
        // (through erfc, which is accurate in both tails) brings it to machine precision.
        let e = 0.5 * erfc(-x / 2.0.squareRoot()) - p
        let u = e * (2 * Double.pi).squareRoot() * exp(x * x / 2)
        return x - u / (1 + x * u / 2)
    }

    /// The two-sided critical value z for a confidence level: `quantile(0.5 + confidence / 2)`.
    ///
    /// `z(confidence: 0.95)` is 1.959963984540054.
    package static func z(confidence: Double) -> Double {
        quantile(0.5 + confidence / 2)
    }

    /// Peter J. Acklam's rational approximation of the normal quantile (relative error < 1.15e-9).
    private static func acklam(_ p: Double) -> Double {
        let a = (
            -3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02,
            1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00
        )
        let b = (
            -5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
            6.680131188771972e+01, -1.328068155288572e+01
        )
        let c = (
            -7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
            -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00
        )
        let d = (7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00)
        let low = 0.02425
        if p < low || p > 1 - low {
            // Tails: a rational function of sqrt(-2 log q), where q is the smaller tail probability.
            let q = (-2 * log(p < low ? p : 1 - p)).squareRoot()
            let num = ((((c.0 * q + c.1) * q + c.2) * q + c.3) * q + c.4) * q + c.5
            let den = (((d.0 * q + d.1) * q + d.2) * q + d.3) * q + 1
            return p < low ? num / den : -num / den
        }
        let q = p - 0.5
        let r = q * q
        let num = (((((a.0 * r + a.1) * r + a.2) * r + a.3) * r + a.4) * r + a.5) * q
        let den = ((((b.0 * r + b.1) * r + b.2) * r + b.3) * r + b.4) * r + 1
        return num / den
    }
}
