// The Function App on Flex Consumption (Linux, Python): billed per execution, scales out per request load.

param name string
param planName string
param location string
param tags object

@description('Resource id and client id of the user-assigned identity the app runs as')
param identityId string
param identityClientId string

@description('Blob endpoint of the host storage account, e.g. https://<account>.blob.core.windows.net/')
param storageBlobEndpoint string
param deploymentContainerName string
param appInsightsConnectionString string

@description('Versioned Key Vault secret URIs: each new secret version changes the app setting, and the change restarts the app on the new value')
param titleKeysUri string
param signingKeysUri string
@description('Versioned Key Vault URI of the SMTP password, or empty when the mail server takes no login')
param smtpPasswordUri string = ''

param cosmosEndpoint string
param cosmosDatabase string
param titleId string

@description('Python version of the Functions runtime: the one the project is tested on')
param pythonVersion string = '3.11'

@minValue(40)
@maxValue(1000)
param maximumInstanceCount int = 100

@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int = 2048

@description('Concurrent HTTP requests one instance takes before Flex adds another (the handlers are async)')
@minValue(1)
@maxValue(1000)
param httpPerInstanceConcurrency int = 16

@description('Instances kept warm for HTTP (billed while idle); 0 lets the app scale to zero')
@minValue(0)
param alwaysReadyInstances int = 0

@description('Browser origins allowed to call the API (web games); empty allows none')
param allowedOrigins array = []

@description('Values for the tunable settings below, e.g. {"SESSION_TTL_SECONDS": "3600"}')
param settingOverrides object = {}

@description('Days an event is kept: EVENTS_RETENTION_DAYS, the same figure as the events container\'s TTL')
@minValue(1)
param eventRetentionDays int = 30

@description('Path prefix of every PlayFab endpoint on Azure (the host reserves /admin, so it cannot be empty)')
@minLength(1)
param routePrefix string = 'playfab'

// Settings the app reads that have a built-in default: blank means that default (shared/config/settings_table.py).
// Listed so each can be found and changed; tests/project/test_infra_settings.py fails when a setting declared
// there is missing here.
var tunableSettings = {
  MAX_REQUEST_BYTES: ''
  SESSION_TTL_SECONDS: ''
  ENTITY_TOKEN_TTL_SECONDS: ''
  PLAYER_STATUS_CACHE_SECONDS: ''
  IDEMPOTENCY_WINDOW_SECONDS: ''
  USER_DATA_MAX_KEYS_PER_UPDATE: ''
  USER_DATA_MAX_VALUE_BYTES: ''
  CHARACTER_DATA_MAX_KEYS_PER_UPDATE: ''
  CHARACTER_DATA_MAX_VALUE_BYTES: ''
  DATA_MAX_DOCUMENT_BYTES: ''
  SHARED_GROUP_DATA_MAX_KEYS_PER_UPDATE: ''
  SHARED_GROUP_DATA_MAX_VALUE_BYTES: ''
  TITLE_DATA_CACHE_SECONDS: ''
  TITLE_DATA_MAX_KEYS: ''
  TITLE_DATA_MAX_VALUE_BYTES: ''
  TITLE_DATA_MAX_BYTES: ''
  PLAYER_OBJECT_COUNT: ''
  PLAYER_OBJECT_BYTES: ''
  TITLE_OBJECT_COUNT: ''
  TITLE_OBJECT_BYTES: ''
  OBJECT_NAME_MAX_CHARS: ''
  PLAYER_CUSTOM_PROPERTY_COUNT: ''
  PLAYER_CUSTOM_PROPERTY_NAME_MAX_CHARS: ''
  PLAYER_CUSTOM_PROPERTY_VALUE_MAX_CHARS: ''
  RATE_LIMITS: ''
  RATE_LIMIT_USER_DATA: ''
  RATE_LIMIT_CHARACTER_DATA: ''
  RATE_LIMIT_ENTITY_UPDATES: ''
  RATE_LIMIT_PLAYER_CUSTOM_PROPERTIES: ''
  RATE_LIMIT_LINKS: ''
  RATE_LIMIT_DISPLAY_NAMES: ''
  COSMOS_REQUEST_TIMEOUT_SECONDS: ''
  COSMOS_OPERATION_TIMEOUT_SECONDS: ''
  COSMOS_MAX_CALLS: ''
  COSMOS_QUEUE_WAIT_MS: ''
  RATE_LIMIT_SHARED_GROUP_WRITES: ''
  RATE_LIMIT_SHARED_GROUP_READS: ''
  RATE_LIMIT_EVENTS: ''
  EVENT_MAX_BODY_BYTES: ''
  EVENTS_MAX_PER_BATCH: ''
  RATE_LIMIT_STATISTIC_UPDATES: ''
  RATE_LIMIT_STATISTIC_READS: ''
  RATE_LIMIT_LEADERBOARD_READS: ''
  KEY_HISTORY_RETENTION_DAYS: ''
  KEY_HISTORY_MAX_VALUE_BYTES: ''
  KEY_HISTORY_OUTBOX_BYTES: ''
  RATE_LIMIT_ACCOUNT_CREATION: ''
  RATE_LIMIT_ANONYMOUS_CALLS: ''
  RATE_LIMIT_PASSWORD_FAILURES: ''
  RATE_LIMIT_PASSWORD_FAILURES_PER_ADDRESS: ''
  SHARED_GROUP_MAX_MEMBERS: ''
  SHARED_GROUPS_PER_PLAYER: ''
  ALLOW_DUPLICATE_DISPLAY_NAMES: ''
  CLIENT_PROFILE_OPTIONS: ''
  ALLOW_CLIENT_STATISTIC_UPDATES: ''
  STATISTICS_MAX_PER_TITLE: ''
  TRUST_X_FORWARDED_FOR: ''
  RATE_LIMIT_REFUSAL_DELAY_MS: ''
  ANONYMOUS_MAX_REQUEST_BYTES: ''
  // Account recovery and its mail server (SMTP_HOST, SMTP_SENDER, SMTP_USERNAME through settingOverrides).
  RECOVERY_TOKEN_TTL_SECONDS: ''
  RATE_LIMIT_RECOVERY_EMAIL: ''
  RATE_LIMIT_RECOVERY_ADDRESS: ''
  SMTP_HOST: ''
  SMTP_PORT: ''
  SMTP_TLS: ''
  SMTP_SENDER: ''
  SMTP_USERNAME: ''
  SMTP_TIMEOUT_SECONDS: ''
  // Server functions and their limits.
  SERVER_FUNCTION_MODULES: ''
  SERVER_FUNCTION_TIMEOUT_MS: ''
  SERVER_FUNCTION_MAX_API_CALLS: ''
  SERVER_FUNCTION_MAX_ARGUMENT_BYTES: ''
  SERVER_FUNCTION_MAX_RESULT_BYTES: ''
  SERVER_FUNCTION_MAX_LOG_BYTES: ''
}

// Set by this deployment and applied last, so no override can put a secret in plain text or a key
// back into a connection.
var deploymentSettings = {
  PLAYFAB_TITLE_ID: titleId
  PLAYFAB_SECRET_KEYS: '@Microsoft.KeyVault(SecretUri=${titleKeysUri})'
  TOKEN_SIGNING_KEY: '@Microsoft.KeyVault(SecretUri=${signingKeysUri})'
  SMTP_PASSWORD: empty(smtpPasswordUri) ? '' : '@Microsoft.KeyVault(SecretUri=${smtpPasswordUri})'
  // Password-reset links start with the app's public URL, never with a Host header a caller could forge.
  PUBLIC_URL: 'https://${site.properties.defaultHostName}/${routePrefix}'
  STORAGE_BACKEND: 'cosmos'
  COSMOS_ENDPOINT: cosmosEndpoint
  COSMOS_DATABASE: cosmosDatabase
  // One figure with the events container's default TTL (database.bicep), so reads and TTL agree.
  EVENTS_RETENTION_DAYS: string(eventRetentionDays)
  // DefaultAzureCredential picks the user-assigned identity by this client id.
  AZURE_CLIENT_ID: identityClientId
  // Blob service only: the host keeps leases and keys in blobs and this app has no queue or table
  // trigger. Naming just this endpoint (rather than the account name, from which the host would derive
  // queue and table endpoints too) matches the one role granted, Storage Blob Data Owner.
  AzureWebJobsStorage__blobServiceUri: storageBlobEndpoint
  AzureWebJobsStorage__credential: 'managedidentity'
  AzureWebJobsStorage__clientId: identityClientId
  APPLICATIONINSIGHTS_CONNECTION_STRING: appInsightsConnectionString
  // The Functions host never hands paths under /admin to functions, so on Azure every PlayFab path
  // (Admin/* included) is served under a prefix; the SDKs' base URL carries it.
  AzureFunctionsJobHost__extensions__http__routePrefix: routePrefix
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identityClientId};Authorization=AAD'
  // The root URL answers with the app's PlayFab-shaped 404 instead of the host's landing page.
  AzureWebJobsDisableHomepage: 'true'
}

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    name: 'FC1'
    tier: 'FlexConsumption'
  }
  properties: {
    reserved: true
  }
}

resource site 'Microsoft.Web/sites@2024-04-01' = {
  name: name
  location: location
  // azd finds the app to deploy `api` (azure.yaml) into by this tag.
  tags: union(tags, {
    'azd-service-name': 'api'
  })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    publicNetworkAccess: 'Enabled'
    keyVaultReferenceIdentity: identityId
    // Flex Consumption refuses several App Service site properties (ARM error 51021), ftpsState among
    // them: it has no FTP endpoint, and the publishing-credential policies below keep basic auth off.
    // tests/project/test_infra.py lists the refused ones and allows only these.
    siteConfig: {
      minTlsVersion: '1.2'
      scmMinTlsVersion: '1.2'
      http20Enabled: true
      cors: {
        allowedOrigins: allowedOrigins
      }
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${storageBlobEndpoint}${deploymentContainerName}'
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityId
          }
        }
      }
      scaleAndConcurrency: {
        maximumInstanceCount: maximumInstanceCount
        instanceMemoryMB: instanceMemoryMB
        alwaysReady: (alwaysReadyInstances > 0) ? [
          {
            name: 'http'
            instanceCount: alwaysReadyInstances
          }
        ] : []
        triggers: {
          http: {
            perInstanceConcurrency: httpPerInstanceConcurrency
          }
        }
      }
      runtime: {
        name: 'python'
        version: pythonVersion
      }
    }
  }
}

resource appSettings 'Microsoft.Web/sites/config@2024-04-01' = {
  parent: site
  name: 'appsettings'
  properties: union(tunableSettings, settingOverrides, deploymentSettings)
}

// Deployments sign in with Entra ID (azd does); publishing passwords stay off.
resource ftpCredentials 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-04-01' = {
  parent: site
  name: 'ftp'
  properties: {
    allow: false
  }
}

resource scmCredentials 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-04-01' = {
  parent: site
  name: 'scm'
  properties: {
    allow: false
  }
}

output name string = site.name
// The SDKs' base URL: the app serves PlayFab's paths under this prefix (see routePrefix above).
output url string = 'https://${site.properties.defaultHostName}/${routePrefix}'
