import Tandem
import Testing

@Suite("Normal quantile")
struct NormalDistributionTests {
    /// References from mpmath (40 digits): sqrt(2) * erfinv(confidence). Tolerance 1e-10: at 0.999999 the
    /// rounding of 0.5 + confidence / 2 to a Double alone moves z by 2e-11.
    @Test(arguments: [
        (0.5, 0.6744897501960817432),
        (0.8, 1.2815515655446005935),
        (0.9, 1.6448536269514728225),
        (0.95, 1.959963984540054),
        (0.99, 2.5758293035489),
        (0.999, 3.2905267314918945433),
        (0.999999, 4.8916384756929317718),
    ])
    func criticalValueMatchesReference(confidence: Double, expected: Double) {
        #expect(abs(NormalDistribution.z(confidence: confidence) - expected) < 1e-10)
    }

    /// Both sides of Acklam's region boundaries (0.02425) and deep tails.
    @Test(arguments: [
        (1e-10, -6.3613409024040561991),
        (0.001, -3.0902323061678135354),
        (0.02425, -1.9729610513118848376),
        (0.3, -0.52440051270804081597),
        (0.97575, 1.9729610513118849594),
        (0.999, 3.0902323061678132778),
    ])
    func quantileMatchesReferenceAcrossRegions(p: Double, expected: Double) {
        #expect(abs(NormalDistribution.quantile(p) - expected) < 1e-9 * max(1, abs(expected)))
    }

    @Test func quantileOutsideOpenUnitIntervalIsInfinite() {
        #expect(NormalDistribution.quantile(0) == -.infinity)
        #expect(NormalDistribution.quantile(1) == .infinity)
        #expect(NormalDistribution.quantile(.nan).isNaN)
        #expect(NormalDistribution.quantile(0.5) == 0)
    }
}
