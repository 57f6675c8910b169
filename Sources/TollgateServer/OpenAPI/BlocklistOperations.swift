extension OpenAPIDocument {
    /// `/v1/blocklist`: the tenant's blocklist, synced to its edge agents; `/v1/operator/blocklist`: the platform's,
    /// synced to every tenant's agents.
    static var blocklistOperations: [Operation] {
        [
            Operation(method: "get", path: "/v1/blocklist", id: "listBlocklist", summary: "Blocklist entries not deleted (expired ones included), newest first.", tag: "blocklist", scope: .sitesRead, parameters: pageParameters(cursor: idCursor), success: (200, "BlockEntryPage")),
            Operation(method: "post", path: "/v1/blocklist", id: "createBlockEntry", summary: "Block (or allow) an IP address, a CIDR range, a crawler's product token or a User-Agent substring on the tenant's sites, optionally for `ttl_seconds`.", tag: "blocklist", scope: .sitesWrite, body: "BlockEntryRequest", success: (201, "BlockEntry")),
            Operation(method: "delete", path: "/v1/blocklist/{id}", id: "deleteBlockEntry", summary: "Delete a blocklist entry; edge agents drop it with their next sync.", tag: "blocklist", scope: .sitesWrite, parameters: [pathID("id")], success: (204, nil)),
            Operation(method: "get", path: "/v1/operator/blocklist", id: "operatorListBlocklist", summary: "Platform-wide blocklist entries not deleted (expired ones included), newest first.", tag: "operator", auth: .platformOperator, parameters: pageParameters(cursor: idCursor), success: (200, "BlockEntryPage")),
            Operation(method: "post", path: "/v1/operator/blocklist", id: "operatorCreateBlockEntry", summary: "Block (or allow) a client on every tenant's sites (audited in the platform chain); a tenant's own allow entry still exempts it there.", tag: "operator", auth: .platformOperator, body: "BlockEntryRequest", success: (201, "BlockEntry")),
            Operation(method: "delete", path: "/v1/operator/blocklist/{id}", id: "operatorDeleteBlockEntry", summary: "Delete a platform-wide blocklist entry; every agent drops it with its next sync.", tag: "operator", auth: .platformOperator, parameters: [pathID("id")], success: (204, nil)),
        ]
    }
}
