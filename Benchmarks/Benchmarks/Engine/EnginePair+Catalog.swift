import Benchmark
import BenchmarkSupport
import Foundation
import SwiftProtobuf
import Tandem
import TandemProto

extension EnginePair {
    /// A full catalog listing (every whitelisted field set: three variants, labels, two warehouses, two reviews), the
    /// shadow row the engine stores for it, and a shadow row that differs in three compared fields.
    static func catalog() throws -> EnginePair {
        let plan = try MigrationPlan.load(directory: Repository.path("Migrations/catalog"))
        let engine = DiffEngine(plan: plan)
        func money(_ units: Int64, _ nanos: Int32) -> Acme_Catalog_V2_Money {
            var money = Acme_Catalog_V2_Money()
            money.currency = .eur
            money.units = units
            money.nanos = nanos
            return money
        }
        var v2 = Acme_Catalog_V2_Listing()
        v2.listingID = "l1777436"
        v2.title = "Kestrel trail jacket"
        v2.description_p = "A light, windproof shell for long days on the fjord paths; packs into its own pocket."
        v2.listPrice = money(229, 950_000_000)
        v2.dimensions.widthCm = 43.5
        v2.dimensions.heightCm = 16.7
        v2.dimensions.depthCm = 6.4
        v2.dimensions.weightKg = 0.815
        v2.supplier.supplierID = "sup-884"
        v2.supplier.name = "Birch Outdoor AS"
        v2.supplier.country = "NO"
        v2.supplier.onboardedAt = Google_Protobuf_Timestamp(seconds: 1_586_073_406, nanos: 755_732_951)
        v2.supplier.rating = 4
        v2.supplier.contactEmail = "orders@birch.example.com"
        for (index, color) in ["harbor", "moss", "ember"].enumerated() {
            var variant = Acme_Catalog_V2_Variant()
            variant.sku = "KTJ-\(color)-M"
            variant.color = color
            variant.size = "M"
            variant.price = money(229 + Int64(index) * 10, 950_000_000)
            variant.availability = [.inStock, .backorder, .preorder][index]
            variant.stock = Int32(12 - index * 5)
            v2.variants.append(variant)
        }
        v2.labels = ["season": "autumn", "fit": "regular", "care": "machine-wash-30"]
        for (code, quantity) in [("OSL-1", 41), ("BGO-2", 7)] {
            var warehouse = Acme_Catalog_V2_Warehouse()
            warehouse.code = code
            warehouse.quantity = Int32(quantity)
            warehouse.restockedAt = Google_Protobuf_Timestamp(seconds: 1_733_000_000, nanos: 0)
            v2.stockByWarehouse[code] = warehouse
        }
        v2.percentOff = 15
        v2.createdAt = Google_Protobuf_Timestamp(seconds: 1_716_912_345, nanos: 678_000_000)
        v2.updatedAt = Google_Protobuf_Timestamp(seconds: 1_733_001_122, nanos: 334_000_000)
        v2.minOrder = Google_Protobuf_Int32Value(2)
        v2.brand = Google_Protobuf_StringValue("Kestrel")
        v2.tags = ["outdoor", "jacket", "waterproof", "men"]
        v2.relatedIds = [1_777_437, 1_777_512, 1_780_001]
        v2.availability = .inStock
        v2.featured = true
        v2.rating = 4.6
        v2.reviewCount = 128
        for (author, stars) in [("Ingrid", 5), ("Tomas", 4)] {
            var review = Acme_Catalog_V2_Review()
            review.author = author
            review.stars = Int32(stars)
            review.text = "Kept me dry on the Besseggen ridge; the hood fits over a helmet."
            v2.topReviews.append(review)
        }
        v2.thumbnail = Data((0..<96).map { UInt8(truncatingIfNeeded: $0 &* 37) })
        v2.categoryPath = "apparel/outerwear/jackets"
        v2.internalCostCents = 9_150
        v2.seoSlug = "kestrel-trail-jacket"
        let v2Bytes: [UInt8] = try v2.serializedBytes()

        // The shadow row the engine writes for this record: the projection's canonical bytes.
        let decoded = try DynamicMessage(decoding: v2Bytes, as: plan.v2Message, schema: plan.v2.schema)
        let equal = engine.projection.project(decoded).message.serializedBytes()
        var mismatch = try Acme_Catalog_V1_Listing(serializedBytes: equal)
        mismatch.title = "Kestrel trail jacket (old)"
        mismatch.availability = .backordered
        mismatch.variants[1].sku = "KTJ-moss-L"

        let pair = EnginePair(
            name: "catalog", plan: plan, diffEngine: engine, v2: v2Bytes, v1Equal: equal,
            v1Mismatch: try mismatch.serializedBytes()
        ) { v2, v1 in
            blackHole(try Acme_Catalog_V2_Listing(serializedBytes: v2))
            blackHole(try Acme_Catalog_V1_Listing(serializedBytes: v1))
        }
        try pair.check()
        return pair
    }
}
