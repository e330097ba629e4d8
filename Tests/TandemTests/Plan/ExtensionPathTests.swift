import Testing

@testable import Tandem

/// Extension fields in plan and diff paths: their full name in brackets is one component, dots and all.
@Suite("Extension paths")
struct ExtensionPathTests {
    @Test func aBracketedNameIsOneComponent() {
        #expect(FieldPath(parsing: "[acme.note]").components == ["[acme.note]"])
        #expect(
            FieldPath(parsing: "address.[acme.geo.plus_code].digits").components == [
                "address", "[acme.geo.plus_code]", "digits",
            ])
        #expect(FieldPath(parsing: "a..b").components == ["a", "", "b"])
        #expect(FieldPath(parsing: "address.[acme.geo.plus_code]").description == "address.[acme.geo.plus_code]")
    }

    @Test func groupsAndPlanPathsKeepExtensionNamesAndDropIndicesAndKeys() {
        #expect(DiffPath.normalized("[acme.note]") == "[acme.note]")
        #expect(DiffPath.normalized("parcels[3].[acme.fragile]") == "parcels[*].[acme.fragile]")
        #expect(DiffPath.normalized(#"attrs["a.b]"].[acme.x][2]"#) == "attrs[*].[acme.x][*]")
        #expect(DiffPath.schemaPath("parcels[3].[acme.fragile]") == "parcels.[acme.fragile]")
        #expect(DiffPath.schemaPath("[acme.tags][0]") == "[acme.tags]")
    }
}
