import TollgateCore

extension OpenAPIDocument {
    /// `/v1/sites`: sites, host names and pay-per-crawl prices.
    static var siteOperations: [Operation] {
        let id = [pathID("id")]
        let status: [String: Any] = [
            "name": "status", "in": "query", "required": false,
            "description": "Which sites to list: live ones (the default), archived ones or all.",
            "schema": ["type": "string", "enum": SiteStatusFilter.allCases.map(\.rawValue), "default": "active"],
        ]
        let quote: [[String: Any]] = [
            [
                "name": "crawler", "in": "query", "required": false,
                "description": "The crawler's product token or registered id (GPTBot); leave out for an unidentified client.",
                "schema": ["type": "string", "minLength": 1, "maxLength": SitesController.maxQuoteCrawlerLength],
            ],
            [
                "name": "purpose", "in": "query", "required": false, "description": "Why the crawler fetches; default `other`.",
                "schema": ["type": "string", "enum": SitesController.quotePurposes, "default": "other"],
            ],
            [
                "name": "path", "in": "query", "required": false, "description": "The request path with its query; default `/`.",
                "schema": ["type": "string", "pattern": "^/", "maxLength": SitesController.maxQuotePathLength, "default": "/"],
            ],
        ]
        return [
            Operation(method: "get", path: "/v1/sites", id: "listSites", summary: "Sites, newest first; live ones unless `status` says otherwise.", tag: "sites", scope: .sitesRead, parameters: pageParameters(cursor: idCursor) + [status], success: (200, "SitePage")),
            Operation(method: "post", path: "/v1/sites", id: "createSite", summary: "Create a site for its host names (each may belong to one live site platform-wide), optionally with prices.", tag: "sites", scope: .sitesWrite, body: "SiteRequest", success: (201, "Site")),
            Operation(method: "get", path: "/v1/sites/{id}", id: "getSite", summary: "One site, live or archived.", tag: "sites", scope: .sitesRead, parameters: id, success: (200, "Site")),
            Operation(method: "patch", path: "/v1/sites/{id}", id: "updateSite", summary: "Rename a live site, replace its host names or set its license URL (null removes it); bumps `version`.", tag: "sites", scope: .sitesWrite, parameters: id, body: "SiteUpdate", success: (200, "Site")),
            Operation(method: "delete", path: "/v1/sites/{id}", id: "archiveSite", summary: "Archive a site: it stays readable but read-only, and its host names are freed.", tag: "sites", scope: .sitesWrite, parameters: id, success: (200, "Site")),
            Operation(method: "put", path: "/v1/sites/{id}/pricing", id: "setSitePricing", summary: "Replace the site's pay-per-crawl price list (turning pay-per-crawl on); bumps `version`.", tag: "sites", scope: .sitesWrite, parameters: id, body: "PricingPolicy", success: (200, "Site")),
            Operation(method: "delete", path: "/v1/sites/{id}/pricing", id: "removeSitePricing", summary: "Turn pay-per-crawl off for the site; bumps `version`.", tag: "sites", scope: .sitesWrite, parameters: id, success: (200, "Site")),
            Operation(method: "get", path: "/v1/sites/{id}/pricing/quote", id: "quoteSitePrice", summary: "Preview what the site's edge would answer a crawler: free, a price, or blocked.", tag: "sites", scope: .sitesRead, parameters: id + quote, success: (200, "PriceQuote")),
        ]
    }
}
