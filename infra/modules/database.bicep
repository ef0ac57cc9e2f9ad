// Cosmos DB for NoSQL, reached with Entra ID only (account keys are disabled).
// Bicep creates the database and containers because the app's data-plane role cannot.

param name string
param location string
param tags object

@description('Database name; the app reads it as COSMOS_DATABASE')
param databaseName string

@description('0: serverless (billed per request unit used). Otherwise provisioned autoscale: the most RU/s the database may scale to, shared by every container; 1000 or more, in steps of 1000.')
@minValue(0)
param autoscaleMaxThroughput int = 0

@description('Log Analytics workspace that receives the account\'s audit log')
param workspaceId string

@description('Point-in-time restore window: Continuous7Days (backup storage free) or Continuous30Days (billed per GB)')
@allowed([
  'Continuous7Days'
  'Continuous30Days'
])
param backupTier string = 'Continuous7Days'

@description('Strong: every read sees the latest committed write, whichever app instance made it (reads cost about twice Session).')
@allowed([
  'Strong'
  'BoundedStaleness'
  'Session'
])
param consistencyLevel string = 'Strong'

// Containers and their partition key: these must equal shared.storage.CONTAINERS and the key path the
// Cosmos adapter writes (tests/project/test_infra.py checks both).
var containerNames = [
  'players'
  'lookups'
  'groups'
  'entities'
]
var partitionKeyPath = '/pk'

@description('Days an event is kept: the events container\'s default TTL (EVENTS_RETENTION_DAYS)')
@minValue(1)
param eventRetentionDays int = 30
var serverless = (autoscaleMaxThroughput == 0)

resource account 'Microsoft.DocumentDB/databaseAccounts@2024-11-15' = {
  name: name
  location: location
  tags: tags
  kind: 'GlobalDocumentDB'
  properties: {
    databaseAccountOfferType: 'Standard'
    locations: [
      {
        locationName: location
        failoverPriority: 0
        isZoneRedundant: false
      }
    ]
    consistencyPolicy: {
      defaultConsistencyLevel: consistencyLevel
    }
    capabilities: serverless ? [
      {
        name: 'EnableServerless'
      }
    ] : []
    // Player data can be restored to any second of the window into a new account (infra/README.md),
    // instead of the default periodic backup: two copies, 4 hours apart, restored only by a support ticket.
    backupPolicy: {
      type: 'Continuous'
      continuousModeProperties: {
        tier: backupTier
      }
    }
    disableLocalAuth: true
    disableKeyBasedMetadataWriteAccess: true
    minimalTlsVersion: 'Tls12'
    publicNetworkAccess: 'Enabled'
  }
}

resource database 'Microsoft.DocumentDB/databaseAccounts/sqlDatabases@2024-11-15' = {
  parent: account
  name: databaseName
  properties: {
    resource: {
      id: databaseName
    }
    options: serverless ? {} : {
      autoscaleSettings: {
        maxThroughput: autoscaleMaxThroughput
      }
    }
  }
}

resource containers 'Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers@2024-11-15' = [for containerName in containerNames: {
  parent: database
  name: containerName
  properties: {
    resource: {
      id: containerName
      partitionKey: {
        paths: [
          partitionKeyPath
        ]
        kind: 'Hash'
        version: 2
      }
      // Every access is a point operation by id and partition key, which needs no index; indexing
      // nothing keeps each write's RU charge at its floor.
      indexingPolicy: {
        indexingMode: 'consistent'
        automatic: true
        includedPaths: []
        excludedPaths: [
          {
            path: '/*'
          }
        ]
      }
    }
  }
}]

// Leaderboard indexes: one partition per board (pk = the board), entries read in the board's order.
// Only the three ordering paths are indexed, with a composite index in that order and one in its exact
// reverse; this must equal shared.storage.cosmos_ranks.RANK_INDEXING_POLICY (tests/project/test_infra.py).
var rankContainerName = 'ranks'

resource ranks 'Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers@2024-11-15' = {
  parent: database
  name: rankContainerName
  properties: {
    resource: {
      id: rankContainerName
      partitionKey: {
        paths: [
          partitionKeyPath
        ]
        kind: 'Hash'
        version: 2
      }
      indexingPolicy: {
        indexingMode: 'consistent'
        automatic: true
        includedPaths: [
          {
            path: '/body/v/?'
          }
          {
            path: '/body/t/?'
          }
          {
            path: '/body/e/?'
          }
        ]
        excludedPaths: [
          {
            path: '/*'
          }
        ]
        compositeIndexes: [
          [
            {
              path: '/body/v'
              order: 'descending'
            }
            {
              path: '/body/t'
              order: 'ascending'
            }
            {
              path: '/body/e'
              order: 'ascending'
            }
          ]
          [
            {
              path: '/body/v'
              order: 'ascending'
            }
            {
              path: '/body/t'
              order: 'descending'
            }
            {
              path: '/body/e'
              order: 'descending'
            }
          ]
        ]
      }
    }
  }
}

// The event log (shared.storage.layout.EVENTS): batches read newest first by sequence within one stream,
// so the stream, the sequence and the expiry are the indexed paths (shared.storage.cosmos_health.EVENTS_INDEXED_PATHS); Cosmos DB removes each item eventRetentionDays after its
// last write (the app's EVENTS_RETENTION_DAYS, which also stops reads of older ones).
resource eventsContainer 'Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers@2024-11-15' = {
  parent: database
  name: 'events'
  properties: {
    resource: {
      id: 'events'
      partitionKey: {
        paths: [
          partitionKeyPath
        ]
        kind: 'Hash'
        version: 2
      }
      defaultTtl: eventRetentionDays * 86400
      indexingPolicy: {
        indexingMode: 'consistent'
        automatic: true
        includedPaths: [
          {
            path: '/pk/?'
          }
          {
            path: '/body/s/?'
          }
          {
            path: '/body/x/?'
          }
        ]
        excludedPaths: [
          {
            path: '/*'
          }
        ]
      }
    }
  }
}

// Who changed the account, its databases and containers, its role assignments or its backup policy, and
// when. Data-plane requests are not logged: one line per player read or write would cost more than the
// database itself.
resource audit 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'audit'
  scope: account
  properties: {
    workspaceId: workspaceId
    logAnalyticsDestinationType: 'Dedicated'
    logs: [
      {
        category: 'ControlPlaneRequests'
        enabled: true
      }
    ]
  }
}

output name string = account.name
output endpoint string = account.properties.documentEndpoint
output databaseName string = database.name
