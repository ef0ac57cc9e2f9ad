// The two secrets the app needs, and the SMTP password when one is given, kept in Key Vault (RBAC mode).
// The app reads them through Key Vault references resolved with its own identity; nobody gets a vault
// access policy.

param name string
param location string
param tags object
param workspaceId string

@secure()
@description('Comma-separated title secret keys (PLAYFAB_SECRET_KEYS)')
param titleSecretKeys string

@secure()
@description('Comma-separated token signing keys (TOKEN_SIGNING_KEY)')
param tokenSigningKeys string

@secure()
@description('The SMTP server\'s password (SMTP_PASSWORD); empty when it takes no login')
param smtpPassword string = ''

@description('Whether an SMTP password was given (outputs may not depend on the secret itself)')
param storeSmtpPassword bool = false

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    tenantId: tenant().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 7
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      defaultAction: 'Allow'
      bypass: 'AzureServices'
    }
  }
}

resource titleKeys 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  parent: vault
  name: 'playfab-secret-keys'
  properties: {
    value: titleSecretKeys
    contentType: 'text/plain'
  }
}

resource signingKeys 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  parent: vault
  name: 'token-signing-key'
  properties: {
    value: tokenSigningKeys
    contentType: 'text/plain'
  }
}

resource smtpSecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = if (storeSmtpPassword) {
  parent: vault
  name: 'smtp-password'
  properties: {
    value: smtpPassword
    contentType: 'text/plain'
  }
}

// Who read which secret, and when.
resource audit 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'audit'
  scope: vault
  properties: {
    workspaceId: workspaceId
    logs: [
      {
        categoryGroup: 'audit'
        enabled: true
      }
    ]
  }
}

output name string = vault.name
// Versioned URIs. A reference without a version is re-read only every 24 hours or on a configuration
// change, so a rotated key would wait up to a day. A provision that stores a new value creates a new
// version, which changes the app setting, which restarts the app on the new value at once.
output titleKeysUri string = titleKeys.properties.secretUriWithVersion
output signingKeysUri string = signingKeys.properties.secretUriWithVersion
output smtpPasswordUri string = storeSmtpPassword ? smtpSecret.properties.secretUriWithVersion : ''
