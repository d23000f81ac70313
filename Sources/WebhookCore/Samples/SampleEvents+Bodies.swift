// Generated from Tests/WebhookCoreTests/Fixtures (fake data transcribed from the vendors' documentation).
// Regenerate rather than edit by hand; each body is byte for byte its fixture file.

extension SampleEvents {
    /// Every sample, in `allTypes` order: (type, body).
    static let samples: [(type: String, body: String)] = [
        // gu1-kyc/abandoned.json
        (
            "kyc.validation_abandoned",
            #"""
            {
              "event": "kyc.validation_abandoned",
              "timestamp": "2025-01-07T10:45:00Z",
              "organizationId": "org-123",
              "payload": {
                "id": "550e8400-e29b-41d4-a716-446655440000",
                "entityId": "123e4567-e89b-12d3-a456-426614174000",
                "status": "abandoned",
                "abandonedAt": "2025-01-07T10:45:00Z",
                "lastStep": "document_upload"
              }
            }

            """#
        ),
        // gu1-kyc/approved.json
        (
            "kyc.validation_approved",
            #"""
            {
              "event": "kyc.validation_approved",
              "timestamp": "2025-01-07T11:00:00Z",
              "organizationId": "org-123",
              "payload": {
                "id": "550e8400-e29b-41d4-a716-446655440000",
                "entityId": "123e4567-e89b-12d3-a456-426614174000",
                "organizationId": "org-123",
                "entity": {
                  "id": "123e4567-e89b-12d3-a456-426614174000",
                  "externalId": "customer_xyz789",
                  "name": "John Doe",
                  "type": "person",
                  "taxId": "123-45-6789",
                  "countryCode": "US",
                  "status": "active",
                  "entityData": {
                    "person": {
                      "firstName": "John",
                      "lastName": "Doe"
                    }
                  },
                  "attributes": {}
                },
                "status": "approved",
                "verifiedAt": "2025-01-07T11:00:00Z",
                "extractedData": {
                  "firstName": "John",
                  "lastName": "Doe",
                  "dateOfBirth": "1990-05-20",
                  "nationality": "US",
                  "documentNumber": "AB123456",
                  "documentType": "passport",
                  "documentExpiry": "2030-05-20",
                  "address": {
                    "street": "123 Main St",
                    "city": "New York",
                    "state": "NY",
                    "postalCode": "10001",
                    "country": "US"
                  }
                },
                "verifiedFields": [
                  "firstName",
                  "lastName",
                  "dateOfBirth",
                  "nationality",
                  "documentNumber"
                ],
                "warnings": [],
                "decision": {
                  "id_verification": "pass",
                  "face_match": "pass",
                  "liveness": "pass",
                  "document_authenticity": "pass"
                }
              }
            }

            """#
        ),
        // gu1-kyc/cancelled.json
        (
            "kyc.validation_cancelled",
            #"""
            {
              "event": "kyc.validation_cancelled",
              "timestamp": "2025-01-07T12:00:00Z",
              "organizationId": "org-123",
              "payload": {
                "id": "550e8400-e29b-41d4-a716-446655440000",
                "entityId": "123e4567-e89b-12d3-a456-426614174000",
                "status": "cancelled",
                "cancelledAt": "2025-01-07T12:00:00Z",
                "cancelledBy": "user_123"
              }
            }

            """#
        ),
        // gu1-kyc/created.json
        (
            "kyc.validation_created",
            #"""
            {
              "event": "kyc.validation_created",
              "timestamp": "2025-01-07T10:30:00Z",
              "organizationId": "org-123",
              "payload": {
                "id": "550e8400-e29b-41d4-a716-446655440000",
                "entityId": "123e4567-e89b-12d3-a456-426614174000",
                "status": "pending",
                "providerSessionUrl": "https://kyc.gu1.io/validate/abc123",
                "expiresAt": "2025-01-14T10:30:00Z"
              }
            }

            """#
        ),
        // gu1-kyc/expired.json
        (
            "kyc.validation_expired",
            #"""
            {
              "event": "kyc.validation_expired",
              "timestamp": "2025-01-14T10:30:00Z",
              "organizationId": "org-123",
              "payload": {
                "id": "550e8400-e29b-41d4-a716-446655440000",
                "entityId": "123e4567-e89b-12d3-a456-426614174000",
                "status": "expired",
                "expiresAt": "2025-01-14T10:30:00Z",
                "createdAt": "2025-01-07T10:30:00Z"
              }
            }

            """#
        ),
        // gu1-kyc/in_progress.json
        (
            "kyc.validation_in_progress",
            #"""
            {
              "event": "kyc.validation_in_progress",
              "timestamp": "2025-01-07T10:35:00Z",
              "organizationId": "org-123",
              "payload": {
                "id": "550e8400-e29b-41d4-a716-446655440000",
                "entityId": "123e4567-e89b-12d3-a456-426614174000",
                "status": "in_progress"
              }
            }

            """#
        ),
        // gu1-kyc/in_review.json
        (
            "kyc.validation_in_review",
            #"""
            {
              "event": "kyc.validation_in_review",
              "timestamp": "2025-01-07T10:50:00Z",
              "organizationId": "org-123",
              "payload": {
                "id": "550e8400-e29b-41d4-a716-446655440000",
                "entityId": "123e4567-e89b-12d3-a456-426614174000",
                "status": "in_review"
              }
            }

            """#
        ),
        // gu1-kyc/rejected.json
        (
            "kyc.validation_rejected",
            #"""
            {
              "event": "kyc.validation_rejected",
              "timestamp": "2025-01-07T11:00:00Z",
              "organizationId": "org-123",
              "payload": {
                "id": "550e8400-e29b-41d4-a716-446655440000",
                "entityId": "123e4567-e89b-12d3-a456-426614174000",
                "entity": {
                  "id": "123e4567-e89b-12d3-a456-426614174000",
                  "externalId": "customer_xyz789",
                  "name": "John Doe",
                  "type": "person",
                  "taxId": "123-45-6789",
                  "countryCode": "US",
                  "status": "active",
                  "entityData": {
                    "person": {
                      "firstName": "John",
                      "lastName": "Doe"
                    }
                  },
                  "attributes": {}
                },
                "status": "rejected",
                "verifiedAt": "2025-01-07T11:00:00Z",
                "extractedData": {},
                "verifiedFields": [],
                "warnings": [
                  "Document authenticity check failed",
                  "Face match confidence low",
                  "Liveness detection failed"
                ],
                "decision": {
                  "id_verification": "fail",
                  "face_match": "fail",
                  "liveness": "fail",
                  "document_authenticity": "fail"
                },
                "rejectionReason": "Document authenticity could not be verified"
              }
            }

            """#
        ),
        // gu1-biometric/abandoned.json
        (
            "biometric.session_abandoned",
            #"""
            {
              "event": "biometric.session_abandoned",
              "timestamp": "2026-06-11T14:20:00Z",
              "organizationId": "org-uuid",
              "payload": {
                "id": "bio-session-uuid",
                "entityId": "entity-uuid",
                "status": "abandoned",
                "mode": "face_match",
                "sessionUrl": null,
                "rejectionCode": null,
                "rejectionMessage": null,
                "entity": {
                  "id": "entity-uuid",
                  "externalId": "customer-123",
                  "name": "Jane Doe",
                  "type": "person"
                }
              }
            }

            """#
        ),
        // gu1-biometric/approved.json
        (
            "biometric.session_approved",
            #"""
            {
              "event": "biometric.session_approved",
              "timestamp": "2026-06-11T14:10:00Z",
              "organizationId": "org-uuid",
              "payload": {
                "id": "bio-session-uuid",
                "entityId": "entity-uuid",
                "status": "approved",
                "mode": "face_match",
                "sessionUrl": "https://verify.example.com/session/abc",
                "rejectionCode": null,
                "rejectionMessage": null,
                "completedAt": "2026-06-11T14:10:00.000Z",
                "decision": {
                  "face_match": {
                    "status": "Approved",
                    "score": 99.2
                  },
                  "liveness": {
                    "status": "Approved",
                    "score": 98.5
                  }
                },
                "entity": {
                  "id": "entity-uuid",
                  "externalId": "customer-123",
                  "name": "Jane Doe",
                  "type": "person"
                }
              }
            }

            """#
        ),
        // gu1-biometric/cancelled.json
        (
            "biometric.session_cancelled",
            #"""
            {
              "event": "biometric.session_cancelled",
              "timestamp": "2026-06-11T14:21:00Z",
              "organizationId": "org-uuid",
              "payload": {
                "id": "bio-session-uuid",
                "entityId": "entity-uuid",
                "status": "cancelled",
                "mode": "face_match",
                "sessionUrl": null,
                "rejectionCode": null,
                "rejectionMessage": null,
                "entity": {
                  "id": "entity-uuid",
                  "externalId": "customer-123",
                  "name": "Jane Doe",
                  "type": "person"
                }
              }
            }

            """#
        ),
        // gu1-biometric/created.json
        (
            "biometric.session_created",
            #"""
            {
              "event": "biometric.session_created",
              "timestamp": "2026-06-11T14:00:00Z",
              "organizationId": "org-uuid",
              "payload": {
                "id": "bio-session-uuid",
                "entityId": "entity-uuid",
                "status": "pending",
                "mode": "face_match",
                "organizationId": "org-uuid",
                "kycValidationId": "kyc-validation-uuid",
                "sessionUrl": "https://verify.example.com/session/abc",
                "hostedSessionId": "hosted-session-id",
                "iframeAllow": "camera; microphone; fullscreen; autoplay; encrypted-media",
                "rejectionCode": null,
                "rejectionMessage": null,
                "createdAt": "2026-06-11T14:00:00.000Z",
                "updatedAt": "2026-06-11T14:00:00.000Z",
                "completedAt": null,
                "entity": {
                  "id": "entity-uuid",
                  "externalId": "customer-123",
                  "name": "Jane Doe",
                  "type": "person"
                }
              }
            }

            """#
        ),
        // gu1-biometric/expired.json
        (
            "biometric.session_expired",
            #"""
            {
              "event": "biometric.session_expired",
              "timestamp": "2026-06-12T14:00:00Z",
              "organizationId": "org-uuid",
              "payload": {
                "id": "bio-session-uuid",
                "entityId": "entity-uuid",
                "status": "expired",
                "mode": "face_match",
                "sessionUrl": null,
                "rejectionCode": null,
                "rejectionMessage": null,
                "entity": {
                  "id": "entity-uuid",
                  "externalId": "customer-123",
                  "name": "Jane Doe",
                  "type": "person"
                }
              }
            }

            """#
        ),
        // gu1-biometric/in_progress.json
        (
            "biometric.session_in_progress",
            #"""
            {
              "event": "biometric.session_in_progress",
              "timestamp": "2026-06-11T14:05:00Z",
              "organizationId": "org-uuid",
              "payload": {
                "id": "bio-session-uuid",
                "entityId": "entity-uuid",
                "status": "in_progress",
                "mode": "face_match",
                "sessionUrl": "https://verify.example.com/session/abc",
                "rejectionCode": null,
                "rejectionMessage": null
              }
            }

            """#
        ),
        // gu1-biometric/rejected.json
        (
            "biometric.session_rejected",
            #"""
            {
              "event": "biometric.session_rejected",
              "timestamp": "2026-06-11T14:12:00Z",
              "organizationId": "org-uuid",
              "payload": {
                "id": "bio-session-uuid",
                "entityId": "entity-uuid",
                "status": "rejected",
                "mode": "face_match",
                "rejectionCode": "FACE_MATCH_SCORE_LOW",
                "rejectionMessage": "Face match score 28.5 is below organization threshold 30",
                "completedAt": "2026-06-11T14:12:00.000Z",
                "decision": {
                  "face_match": {
                    "status": "Approved",
                    "score": 28.5
                  }
                },
                "entity": {
                  "id": "entity-uuid",
                  "externalId": "customer-123",
                  "name": "Jane Doe",
                  "type": "person"
                }
              }
            }

            """#
        ),
        // gu1-entity/created.json
        (
            "entity.created",
            #"""
            {
              "event": "entity.created",
              "timestamp": "2025-01-07T10:00:00.000Z",
              "payload": {
                "entity": {
                  "id": "123e4567-e89b-12d3-a456-426614174000",
                  "externalId": "customer_xyz789",
                  "name": "John Doe",
                  "type": "person",
                  "taxId": "123-45-6789",
                  "countryCode": "US",
                  "status": "active",
                  "entityData": {
                    "person": {
                      "firstName": "John",
                      "lastName": "Doe"
                    }
                  },
                  "attributes": {}
                },
                "createdBy": "user_123",
                "metadata": {
                  "source": "api"
                }
              }
            }

            """#
        ),
        // gu1-entity/status_changed.json
        (
            "entity.status_changed",
            #"""
            {
              "event": "entity.status_changed",
              "timestamp": "2025-01-08T09:30:00.000Z",
              "payload": {
                "entity": {
                  "id": "123e4567-e89b-12d3-a456-426614174000",
                  "externalId": "customer_xyz789",
                  "name": "John Doe",
                  "type": "person",
                  "taxId": "123-45-6789",
                  "countryCode": "US",
                  "status": "active",
                  "entityData": {
                    "person": {
                      "firstName": "John",
                      "lastName": "Doe"
                    }
                  },
                  "attributes": {}
                },
                "statusChanges": {
                  "from": "active",
                  "to": "blocked"
                }
              }
            }

            """#
        ),
        // gu1-entity/updated.json
        (
            "entity.updated",
            #"""
            {
              "event": "entity.updated",
              "timestamp": "2025-01-08T09:00:00.000Z",
              "payload": {
                "entity": {
                  "id": "123e4567-e89b-12d3-a456-426614174000",
                  "externalId": "customer_xyz789",
                  "name": "John Doe",
                  "type": "person",
                  "taxId": "123-45-6789",
                  "countryCode": "US",
                  "status": "active",
                  "entityData": {
                    "person": {
                      "firstName": "John",
                      "lastName": "Doe"
                    }
                  },
                  "attributes": {}
                },
                "changes": {
                  "name": {
                    "old": "J. Doe",
                    "new": "John Doe"
                  }
                }
              }
            }

            """#
        ),
        // gu1-rule/triggered.json
        (
            "rule.triggered",
            #"""
            {
              "event": "rule.triggered",
              "timestamp": "2025-01-07T14:00:00.000Z",
              "payload": {
                "ruleId": "6f1c2d3e-4b5a-4978-8695-a4b3c2d1e0f9",
                "rule": {
                  "id": "6f1c2d3e-4b5a-4978-8695-a4b3c2d1e0f9",
                  "name": "High Risk Country Check",
                  "description": "Flags entities from high-risk countries",
                  "severity": "high",
                  "category": "geographic_risk",
                  "isActive": true
                },
                "entityId": "123e4567-e89b-12d3-a456-426614174000",
                "entity": {
                  "id": "123e4567-e89b-12d3-a456-426614174000",
                  "externalId": "customer_xyz789",
                  "name": "John Doe",
                  "type": "person",
                  "countryCode": "KP",
                  "status": "blocked"
                },
                "evaluationId": "eval_abc123",
                "triggerData": {
                  "countryCode": "KP"
                }
              }
            }

            """#
        ),
        // gu1-transaction/created.json
        (
            "transaction.created",
            #"""
            {
              "event": "transaction.created",
              "timestamp": "2025-02-01T12:00:00.000Z",
              "payload": {
                "transactionId": "txn_0001",
                "externalId": "order-778",
                "type": "payment",
                "status": "CREATED",
                "amount": 125.5,
                "currency": "USD"
              },
              "organizationId": "org-123"
            }

            """#
        ),
        // derived from gu1-transaction/created.json
        (
            "transaction.updated",
            #"""
            {
              "event": "transaction.updated",
              "timestamp": "2025-02-01T12:05:00.000Z",
              "payload": {
                "transactionId": "txn_0001",
                "externalId": "order-778",
                "type": "payment",
                "status": "COMPLETED",
                "amount": 125.5,
                "currency": "USD"
              },
              "organizationId": "org-123"
            }

            """#
        ),
        // argos/aml.json
        (
            "argos.aml",
            #"""
            {
              "webhook_trigger": "aml",
              "submission_id": "1a2b3c4d5e",
              "email": "applicant@example.com",
              "aml_result": {
                "currentstatus": "Red Flag",
                "risk_level_summary": "HIGH"
              },
              "created_at": "2025-03-02 08:00:01",
              "cf": {
                "cf1": "campaign-a",
                "cf2": "",
                "cf3": "ref-9"
              },
              "tokenId": "tok-1",
              "userid": "user-0001"
            }

            """#
        ),
        // argos/aml_monitor.json
        (
            "argos.aml_monitor",
            #"""
            {
              "webhook_trigger": "aml_monitor",
              "submission_id": "1a2b3c4d5e",
              "email": "applicant@example.com",
              "userid": "user-0001",
              "tokenId": "tok-1",
              "cf": {
                "cf1": "campaign-a",
                "cf2": "",
                "cf3": "ref-9"
              },
              "records": [
                {
                  "name": "Hong Gildong",
                  "list": "PEP",
                  "matchedAt": "2025-05-01T00:00:00Z"
                }
              ]
            }

            """#
        ),
        // argos/approved.json
        (
            "argos.approved",
            #"""
            {
              "webhook_trigger": "approved",
              "kyc_result": {
                "status": "approved",
                "updated_at": "2025-03-02 08:05:00",
                "created_at": "2025-03-02 08:00:01",
                "kyc_result_at": "2025-03-02 08:05:00",
                "pending_at": "2025-03-02 08:00:01",
                "reviewer": "system"
              },
              "applicant_id": "app-77",
              "submission_id": "1a2b3c4d5e",
              "email": "applicant@example.com",
              "tokenId": "tok-1",
              "cf": {
                "cf1": "campaign-a",
                "cf2": "",
                "cf3": "ref-9"
              },
              "userid": "user-0001",
              "age_group": "adult",
              "gender": "male",
              "date_of_birth": "1990-05-20",
              "nationality": "KOR",
              "ipAddress": "198.51.100.7",
              "fullName": "Hong Gildong",
              "idType": "passport",
              "issuingCountry": "KOR",
              "issueDate": "2020-01-01",
              "expireDate": "2030-01-01",
              "identityNumber": "900520-1234567",
              "documentNumber": "M12345678",
              "addtional_list": [
                {
                  "answer": "Occupation",
                  "inputValue": "Engineer",
                  "blockType": "text"
                }
              ]
            }

            """#
        ),
        // argos/created.json
        (
            "argos.created",
            #"""
            {
              "webhook_trigger": "created",
              "submission_id": "1a2b3c4d5e",
              "kyc_result": {
                "status": "incomplete"
              },
              "cf": {
                "cf1": "campaign-a",
                "cf2": "",
                "cf3": "ref-9"
              },
              "userid": "user-0001",
              "tokenId": "tok-1",
              "ipAddress": "198.51.100.7"
            }

            """#
        ),
        // argos/delete.json
        (
            "argos.delete",
            #"""
            {
              "webhook_trigger": "delete",
              "submission_id": "1a2b3c4d5e",
              "account_email": "admin@example.com",
              "delete_time": "2025-04-01 00:00:00",
              "comment": "customer request"
            }

            """#
        ),
        // argos/injection.json
        (
            "argos.injection",
            #"""
            {
              "webhook_trigger": "injection",
              "action": {
                "type": "address",
                "created_at": "2025-03-02-08-01-00-000"
              },
              "submission_id": "1a2b3c4d5e",
              "email": "applicant@example.com",
              "kyc_status": "approved",
              "applicant_id": "app-77",
              "userid": "user-0001",
              "cf1": "campaign-a",
              "cf2": "",
              "cf3": "ref-9",
              "tokenId": "tok-1"
            }

            """#
        ),
        // argos/rejected.json
        (
            "argos.rejected",
            #"""
            {
              "webhook_trigger": "rejected",
              "submission_id": "1a2b3c4d5e",
              "email": "applicant@example.com",
              "kyc_result": {
                "status": "rejected",
                "updated_at": "2025-03-02 08:06:00",
                "comment": "Blurry document image",
                "commentCode": "R01"
              },
              "cf": {
                "cf1": "campaign-a",
                "cf2": "",
                "cf3": "ref-9"
              },
              "userid": "user-0001",
              "tokenId": "tok-1",
              "ipAddress": "198.51.100.7"
            }

            """#
        ),
        // argos/retry.json
        (
            "argos.retry",
            #"""
            {
              "webhook_trigger": "retry",
              "submission_id": "1a2b3c4d5e",
              "kyc_result": {
                "status": "incomplete"
              },
              "cf": {
                "cf1": "campaign-a",
                "cf2": "",
                "cf3": "ref-9"
              },
              "userid": "user-0001",
              "tokenId": "tok-1",
              "retryCode": "R-FACE",
              "attempts": 2,
              "ipAddress": "198.51.100.7"
            }

            """#
        ),
        // argos/submit.json
        (
            "argos.submit",
            #"""
            {
              "webhook_trigger": "submit",
              "submission_id": "1a2b3c4d5e",
              "created_at": "2025-03-02 08:00:01",
              "cf": {
                "cf1": "campaign-a",
                "cf2": "",
                "cf3": "ref-9"
              },
              "userid": "user-0001",
              "tokenId": "tok-1",
              "ipAddress": "198.51.100.7",
              "email": "applicant@example.com"
            }

            """#
        ),
        // argos/updated.json
        (
            "argos.updated",
            #"""
            {
              "webhook_trigger": "updated",
              "submission_id": "1a2b3c4d5e",
              "email": "applicant@example.com",
              "data": {
                "update": [
                  "fullName",
                  "date_of_birth"
                ],
                "kyc_result": "approved",
                "created_at": "2025-03-02 08:00:01",
                "kyc_result_at": "2025-03-02 08:05:00",
                "pending_at": "2025-03-02 08:00:01",
                "reviewer": "agent"
              },
              "admin": "admin@example.com",
              "update_time": "2025-03-03 10:00:00",
              "userid": "user-0001",
              "tokenId": "tok-1",
              "gender": "male",
              "date_of_birth": "1990-05-21",
              "nationality": "KOR",
              "fullName": "Hong Gil-dong"
            }

            """#
        ),
    ]
}
