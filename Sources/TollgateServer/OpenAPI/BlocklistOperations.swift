extension OpenAPIDocument {
    /// `/v1/blocklist`: the tenant's blocklist, synced to its edge agents.
    static var blocklistOperations: [Operation] {
        [
            Operation(method: "get", path: "/v1/blocklist", id: "listBlocklist", summary: "Blocklist entries not deleted (expired ones included), newest first.", tag: "blocklist", scope: .sitesRead, parameters: pageParameters(cursor: idCursor), success: (200, "BlockEntryPage")),
            Operation(method: "post", path: "/v1/blocklist", id: "createBlockEntry", summary: "Block (or allow) an IP address, a CIDR range, a crawler's product token or a User-Agent substring on the tenant's sites, optionally for `ttl_seconds`.", tag: "blocklist", scope: .sitesWrite, body: "BlockEntryRequest", success: (201, "BlockEntry")),
            Operation(method: "delete", path: "/v1/blocklist/{id}", id: "deleteBlockEntry", summary: "Delete a blocklist entry; edge agents drop it with their next sync.", tag: "blocklist", scope: .sitesWrite, parameters: [pathID("id")], success: (204, nil)),
        ]
    }
}
