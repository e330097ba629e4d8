/// The small plan `tandem demo` writes: a user profile moving from v1 to v2.
enum DemoFiles {
    static let plan: [(String, String)] = [
        (
            "v1.proto",
            """
            syntax = "proto3";
            package demo.user.v1;

            enum Status {
              STATUS_UNSPECIFIED = 0;
              ACTIVE = 1;
              DISABLED = 2;
            }

            message User {
              string id = 1;
              string display_name = 2;
              int64 created_ms = 3;
              Status status = 4;
              string email = 5;
              repeated string tags = 6;
            }

            """
        ),
        (
            "v2.proto",
            """
            syntax = "proto3";
            package demo.user.v2;

            import "google/protobuf/timestamp.proto";

            enum Status {
              STATUS_UNSPECIFIED = 0;
              ACTIVE = 1;
              SUSPENDED = 2;
            }

            message Profile {
              string display_name = 1;
              string avatar_url = 2;
            }

            message User {
              string id = 1;
              Profile profile = 2;
              google.protobuf.Timestamp created_at = 3;
              Status status = 4;
              string email_address = 5;
              repeated string labels = 6;
              string locale = 7;
            }

            """
        ),
        (
            "tandem.yaml",
            """
            name: demo-user
            v1: { proto: v1.proto, message: demo.user.v1.User }
            v2: { proto: v2.proto, message: demo.user.v2.User }
            key: id
            whitelist:
              - field: id
              - field: display_name
                from: profile.display_name
              - field: created_ms
                from: created_at
                convert: timestamp_millis
              - field: status
                convert: { enum: { ACTIVE: ACTIVE, SUSPENDED: DISABLED } }
              - field: email
                from: email_address
              - field: tags
                from: labels
            redact: [email]
            gate:
              min_consistency: 0.999
              confidence: 0.95
              min_samples: 200
              window: 1000
            breaker:
              open_seconds: 30
              half_open_probes: 50
            sample_rate: 1.0

            """
        ),
    ]
}
