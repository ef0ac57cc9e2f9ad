// The whole backend in one resource group of your subscription; `azd up` provisions this file.
// Nothing here holds a key: the app's user-assigned identity reaches storage, Cosmos DB, Key Vault and
// Application Insights through Entra ID, and the secrets (two, three with an SMTP password) live in
// Key Vault only.
targetScope = 'subscription'

@minLength(1)
@maxLength(64)
@description('azd environment name: names the resource group and tags every resource')
param environmentName string

// Regions that offer Flex Consumption (`az functionapp list-flexconsumption-locations`). Listing them
// makes azd offer only these and ARM refuse any other before creating anything, instead of failing
// half-way at the plan. A region added to Flex later needs adding here.
@minLength(1)
@description('Azure region for every resource; only regions that offer Flex Consumption are allowed')
@allowed([
  'australiaeast'
  'australiasoutheast'
  'brazilsouth'
  'canadacentral'
  'centralindia'
  'centralus'
  'eastasia'
  'eastus'
  'eastus2'
  'francecentral'
  'germanywestcentral'
  'italynorth'
  'japaneast'
  'koreacentral'
  'northcentralus'
  'northeurope'
  'norwayeast'
  'southafricanorth'
  'southcentralus'
  'southeastasia'
  'southindia'
  'spaincentral'
  'swedencentral'
  'uaenorth'
  'uksouth'
  'ukwest'
  'westcentralus'
  'westeurope'
  'westus'
  'westus2'
  'westus3'
])
@metadata({
  azd: {
    type: 'location'
  }
})
param location string

@minLength(1)
@description('The title id your game sends as TitleId (PLAYFAB_TITLE_ID)')
param titleId string

@secure()
@minLength(16)
@description('Comma-separated title secret keys; several at once while rotating (PLAYFAB_SECRET_KEYS)')
param playfabSecretKeys string

@secure()
@minLength(32)
@description('Comma-separated token signing keys; the first signs, all verify (TOKEN_SIGNING_KEY)')
param tokenSigningKey string

@secure()
@description('The SMTP server\'s password for recovery emails (SMTP_PASSWORD); empty when it takes no login')
param smtpPassword string = ''

@description('Cosmos DB database name (COSMOS_DATABASE)')
param cosmosDatabaseName string = 'playfab'

@description('0: serverless Cosmos DB. Otherwise provisioned autoscale with this maximum RU/s (1000 or more, in steps of 1000). Fixed when the account is created.')
@minValue(0)
param cosmosAutoscaleMaxThroughput int = 0

@description('Days an event is kept (EVENTS_RETENTION_DAYS): the events container\'s default TTL and the app\'s setting')
@minValue(1)
param eventRetentionDays int = 30

@description('Most Flex Consumption instances the app may scale out to')
@minValue(40)
@maxValue(1000)
param maximumInstanceCount int = 100

@description('Instances kept warm for HTTP (billed while idle); 0 lets the app scale to zero')
@minValue(0)
param alwaysReadyInstances int = 0

@description('Browser origins allowed to call the API (web games); empty allows none')
param allowedOrigins array = []

@description('Values for the app\'s tunable settings, e.g. {"SESSION_TTL_SECONDS": "3600"}')
param settingOverrides object = {}

var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
var tags = {
  'azd-env-name': environmentName
}
var deploymentContainerName = 'app-package'

resource rg 'Microsoft.Resources/resourceGroups@2024-03-01' = {
  name: 'rg-${environmentName}'
  location: location
  tags: tags
}

module identity 'modules/identity.bicep' = {
  name: 'identity'
  scope: rg
  params: {
    name: 'id-${resourceToken}'
    location: location
    tags: tags
  }
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  scope: rg
  params: {
    logAnalyticsName: 'log-${resourceToken}'
    appInsightsName: 'appi-${resourceToken}'
    location: location
    tags: tags
  }
}

module storage 'modules/storage.bicep' = {
  name: 'storage'
  scope: rg
  params: {
    name: 'st${resourceToken}'
    location: location
    tags: tags
    deploymentContainerName: deploymentContainerName
    workspaceId: monitoring.outputs.workspaceId
  }
}

module database 'modules/database.bicep' = {
  name: 'database'
  scope: rg
  params: {
    name: 'cosmos-${resourceToken}'
    location: location
    tags: tags
    databaseName: cosmosDatabaseName
    autoscaleMaxThroughput: cosmosAutoscaleMaxThroughput
    workspaceId: monitoring.outputs.workspaceId
    eventRetentionDays: eventRetentionDays
  }
}

module secrets 'modules/secrets.bicep' = {
  name: 'secrets'
  scope: rg
  params: {
    name: 'kv-${resourceToken}'
    location: location
    tags: tags
    workspaceId: monitoring.outputs.workspaceId
    titleSecretKeys: playfabSecretKeys
    tokenSigningKeys: tokenSigningKey
    smtpPassword: smtpPassword
    storeSmtpPassword: !empty(smtpPassword)
  }
}

module roles 'modules/roles.bicep' = {
  name: 'roles'
  scope: rg
  params: {
    principalId: identity.outputs.principalId
    storageName: storage.outputs.name
    vaultName: secrets.outputs.name
    appInsightsName: monitoring.outputs.appInsightsName
    cosmosName: database.outputs.name
  }
}

module app 'modules/app.bicep' = {
  name: 'app'
  scope: rg
  // The app resolves its Key Vault references and reaches its storage as soon as it exists.
  dependsOn: [
    roles
  ]
  params: {
    name: 'func-${resourceToken}'
    planName: 'plan-${resourceToken}'
    location: location
    tags: tags
    identityId: identity.outputs.id
    identityClientId: identity.outputs.clientId
    storageBlobEndpoint: storage.outputs.blobEndpoint
    deploymentContainerName: deploymentContainerName
    appInsightsConnectionString: monitoring.outputs.appInsightsConnectionString
    titleKeysUri: secrets.outputs.titleKeysUri
    signingKeysUri: secrets.outputs.signingKeysUri
    smtpPasswordUri: secrets.outputs.smtpPasswordUri
    cosmosEndpoint: database.outputs.endpoint
    cosmosDatabase: database.outputs.databaseName
    titleId: titleId
    pythonVersion: '3.11'
    maximumInstanceCount: maximumInstanceCount
    alwaysReadyInstances: alwaysReadyInstances
    allowedOrigins: allowedOrigins
    settingOverrides: settingOverrides
    eventRetentionDays: eventRetentionDays
  }
}

output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = rg.name
output AZURE_FUNCTION_APP_NAME string = app.outputs.name
output PLAYFAB_API_URL string = app.outputs.url
output COSMOS_ENDPOINT string = database.outputs.endpoint
