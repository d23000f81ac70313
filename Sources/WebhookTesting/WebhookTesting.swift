import Foundation

/// Shared test helpers: loopback client, fixtures, manual clock, recording handler.
public enum WebhookTesting {}
