"""The deployment's promises, checked offline from the parsed Bicep: key-less, secrets in Key Vault only,
least-privilege roles, HTTPS and TLS 1.2, Flex Consumption on the tested Python, and Cosmos containers
that match the storage adapter."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from shared.config.settings_table import default
from shared.storage.cosmos_health import EVENTS_INDEXING_POLICY, INDEXING_POLICY
from shared.storage.cosmos_ranks import RANK_INDEXING_POLICY
from shared.storage.layout import CONTAINERS, EVENTS, RANKS
from tests.support.infra_model import (
    BICEP_FILES,
    INFRA,
    MAIN,
    ROOT,
    app_settings,
    decorator_types,
    dotted,
    main_parameters,
    module,
    one,
    parse,
    resources,
    strings,
)

# Built-in role definition ids, the same in every tenant.
STORAGE_BLOB_DATA_OWNER = "b7e6dc6d-f1e8-4753-8033-0f276bb0955b"
KEY_VAULT_SECRETS_USER = "4633458b-17de-408a-b874-0445c86b69e6"
MONITORING_METRICS_PUBLISHER = "3913510d-42f4-4e42-8a64-420c390055eb"
COSMOS_DATA_CONTRIBUTOR = "00000000-0000-0000-0000-000000000002"
FLEX_REFUSED_SETTINGS = {
    "FUNCTIONS_WORKER_RUNTIME",
    "FUNCTIONS_EXTENSION_VERSION",
    "WEBSITE_RUN_FROM_PACKAGE",
    "WEBSITE_CONTENTSHARE",
    "WEBSITE_CONTENTAZUREFILECONNECTIONSTRING",
    "SCM_DO_BUILD_DURING_DEPLOYMENT",
    "ENABLE_ORYX_BUILD",
}
# Site properties Flex Consumption refuses or ignores (Microsoft's "Flex Consumption plan deprecations";
# ARM answers 51021 for ftpsState and linuxFxVersion), in siteConfig or on the site itself.
FLEX_REFUSED_SITE_PROPERTIES = {
    "alwaysOn",
    "containerSize",
    "ftpsState",
    "isReserved",
    "IsXenon",
    "javaVersion",
    "linuxFxVersion",
    "netFrameworkVersion",
    "powerShellVersion",
    "functionAppScaleLimit",
    "preWarmedInstanceCount",
    "use32BitWorkerProcess",
    "vnetBackupRestoreEnabled",
    "vnetContentShareEnabled",
    "vnetImagePullEnabled",
    "vnetRouteAllEnabled",
    "windowsFxVersion",
}
# What siteConfig may hold here: each is outside that list, so Flex accepts it.
FLEX_SITE_CONFIG = {"minTlsVersion", "scmMinTlsVersion", "http20Enabled", "cors"}
KV_REFERENCE = re.compile(r"^@Microsoft\.KeyVault\(SecretUri=\$\{\w+\}\)$")


def test_the_bicep_files_are_the_expected_set():
    names = {p.relative_to(INFRA).as_posix() for p in BICEP_FILES}
    assert names == {
        "main.bicep",
        *(f"modules/{m}.bicep" for m in ("app", "database", "identity", "monitoring", "roles", "secrets", "storage")),
    }


@pytest.mark.parametrize("path", BICEP_FILES, ids=lambda p: p.relative_to(INFRA).as_posix())
def test_every_bicep_file_parses(path: Path):
    tree = parse(path)
    assert tree.get("resources") or tree.get("modules"), f"{path.name} declares nothing"


def test_main_wires_modules_whose_parameters_match():
    """No Bicep compiler offline, so check each module call against the module's own parameters."""
    tree = parse(MAIN)
    assert tree["globals"]["scope"]["value"] == "subscription"
    for name, mod in tree["modules"].items():
        assert mod["type"] == "local", f"{name}: registry modules cannot be checked offline"
        target = parse((INFRA / mod["detail"]["path"]).resolve())
        declared = target["parameters"]
        given = set(mod["config"]["params"])
        assert given <= set(declared), f"{name}: unknown params {given - set(declared)}"
        required = {p for p, spec in declared.items() if spec["default"] is None}
        assert required <= given, f"{name}: missing params {required - given}"


def test_parameters_file_covers_main_and_maps_secrets_from_the_environment():
    declared = parse(MAIN)["parameters"]
    given = main_parameters()
    assert set(given) <= set(declared)
    assert {p for p, spec in declared.items() if spec["default"] is None} <= set(given)
    for secret in ("playfabSecretKeys", "tokenSigningKey", "smtpPassword"):
        assert re.fullmatch(r"\$\{[A-Z_]+\}", given[secret]["value"]), "secrets come from the azd environment"


def test_every_key_vault_secret_says_its_content_type():
    """checkov's own check of this (CKV_AZURE_114) cannot read conditional resources, so it is skipped."""
    secrets = resources(module("secrets"), "Microsoft.KeyVault/vaults/secrets")
    assert {s["name"] for s in secrets} == {"playfab-secret-keys", "token-signing-key", "smtp-password"}
    assert all(s["properties"].get("contentType") == "text/plain" for s in secrets)


def test_no_key_or_connection_string_anywhere():
    for path in BICEP_FILES:
        text = path.read_text(encoding="utf-8")
        for word in ("listKeys", "listConnectionStrings", "AccountKey", "MasterKey", "SharedAccessKey"):
            assert word not in text, f"{path.name} mentions {word}"
    assert one(module("database"), "Microsoft.DocumentDB/databaseAccounts")["properties"]["disableLocalAuth"] is True
    storage = one(module("storage"), "Microsoft.Storage/storageAccounts")["properties"]
    assert storage["allowSharedKeyAccess"] is False
    assert storage["allowBlobPublicAccess"] is False
    assert one(module("monitoring"), "Microsoft.Insights/components")["properties"]["DisableLocalAuth"] is True


def test_host_storage_and_telemetry_use_the_identity():
    settings = app_settings()
    assert "AzureWebJobsStorage" not in settings, "a connection string would need a key"
    assert settings["AzureWebJobsStorage__credential"] == "managedidentity"
    assert settings["AzureWebJobsStorage__clientId"] == "identityClientId"
    assert settings["AZURE_CLIENT_ID"] == "identityClientId"
    assert settings["APPLICATIONINSIGHTS_AUTHENTICATION_STRING"] == "ClientId=${identityClientId};Authorization=AAD"
    site = one(module("app"), "Microsoft.Web/sites")
    assert site["identity"]["type"] == "UserAssigned"
    assert [k.strip("'") for k in site["identity"]["userAssignedIdentities"]] == ["${identityId}"]
    deployment = site["properties"]["functionAppConfig"]["deployment"]["storage"]["authentication"]
    assert deployment == {"type": "UserAssignedIdentity", "userAssignedIdentityResourceId": "identityId"}
    main_app = parse(MAIN)["modules"]["app"]["config"]
    assert dotted(main_app["params"]["identityId"]) == "identity.outputs.id"
    assert dotted(main_app["params"]["identityClientId"]) == "identity.outputs.clientId"


def test_secrets_are_secure_parameters_stored_in_key_vault_and_referenced():
    main = parse(MAIN)
    secure_main = {name for name, p in main["parameters"].items() if "secure" in decorator_types(p)}
    assert secure_main == {"playfabSecretKeys", "tokenSigningKey", "smtpPassword"}
    # main hands them to the secrets module and nowhere else.
    for name in secure_main:
        users = [m for m, mod in main["modules"].items() if name in strings(mod["config"]["params"])]
        assert users == ["secrets"], f"{name} is passed to {users}"
        assert name not in set(strings(main.get("outputs", {})))

    secrets = module("secrets")
    secure = {name for name, p in secrets["parameters"].items() if "secure" in decorator_types(p)}
    assert secure == {"titleSecretKeys", "tokenSigningKeys", "smtpPassword"}
    stored = {s["properties"]["value"] for s in resources(secrets, "Microsoft.KeyVault/vaults/secrets")}
    assert stored == secure
    assert not secure & set(strings(secrets.get("outputs", {})))
    vault = one(secrets, "Microsoft.KeyVault/vaults")["properties"]
    assert vault["enableRbacAuthorization"] is True
    assert "accessPolicies" not in vault

    settings = app_settings()
    for setting, uri_param in (("PLAYFAB_SECRET_KEYS", "titleKeysUri"), ("TOKEN_SIGNING_KEY", "signingKeysUri")):
        assert KV_REFERENCE.match(settings[setting]), f"{setting} must be a Key Vault reference"
        assert f"${{{uri_param}}}" in settings[setting]
    # The SMTP password is optional: a reference to its secret when one was given, else empty.
    smtp = settings["SMTP_PASSWORD"]["operator"]["operands"]
    assert (smtp["true_value"], smtp["false_value"]) == ("", "@Microsoft.KeyVault(SecretUri=${smtpPasswordUri})")
    assert dotted(main["modules"]["app"]["config"]["params"]["smtpPasswordUri"]) == "secrets.outputs.smtpPasswordUri"
    site = one(module("app"), "Microsoft.Web/sites")
    assert site["properties"]["keyVaultReferenceIdentity"] == "identityId"
    app_params = main["modules"]["app"]["config"]["params"]
    assert dotted(app_params["titleKeysUri"]) == "secrets.outputs.titleKeysUri"
    assert dotted(app_params["signingKeysUri"]) == "secrets.outputs.signingKeysUri"
    outputs = secrets["outputs"]
    # Versioned: a new secret version changes the app setting, which restarts the app on it (README, rotation).
    assert dotted(outputs["titleKeysUri"]["value"]) == "titleKeys.properties.secretUriWithVersion"
    assert dotted(outputs["signingKeysUri"]["value"]) == "signingKeys.properties.secretUriWithVersion"


def test_the_identity_gets_exactly_the_roles_it_needs():
    roles = module("roles")
    variables = {name: v["value"] for name, v in roles["variables"].items()}
    granted: dict[str, tuple[str, str | None]] = {}
    for assignment in resources(roles, "Microsoft.Authorization/roleAssignments"):
        params = assignment["properties"]["roleDefinitionId"]["function"]["parameters"]
        assert params["resource_type"] == "Microsoft.Authorization/roleDefinitions"
        assert assignment["properties"]["principalId"] == "principalId"
        assert assignment["properties"]["principalType"] == "ServicePrincipal"
        granted[variables[params["resource_name_1"]]] = assignment["scope"]
    assert granted == {
        STORAGE_BLOB_DATA_OWNER: "storage",
        KEY_VAULT_SECRETS_USER: "vault",
        MONITORING_METRICS_PUBLISHER: "appInsights",
    }

    cosmos = one(roles, "Microsoft.DocumentDB/databaseAccounts/sqlRoleAssignments")
    assert cosmos["parent"] == "cosmos"
    assert cosmos["properties"]["principalId"] == "principalId"
    role_var = cosmos["properties"]["roleDefinitionId"].rsplit("${", 1)[1].rstrip("}")
    assert variables[role_var] == COSMOS_DATA_CONTRIBUTOR
    assert cosmos["properties"]["roleDefinitionId"].startswith("${cosmos.id}/sqlRoleDefinitions/")
    assert dotted(cosmos["properties"]["scope"]) == "cosmos.id"

    main = parse(MAIN)["modules"]
    assert dotted(main["roles"]["config"]["params"]["principalId"]) == "identity.outputs.principalId"
    assert "roles" in main["app"]["config"]["dependsOn"], "the app must not start before its roles exist"


def test_https_only_and_tls_1_2_everywhere():
    site = one(module("app"), "Microsoft.Web/sites")["properties"]
    assert site["httpsOnly"] is True
    assert site["siteConfig"]["minTlsVersion"] == "1.2"
    assert site["siteConfig"]["scmMinTlsVersion"] == "1.2"
    storage = one(module("storage"), "Microsoft.Storage/storageAccounts")["properties"]
    assert storage["minimumTlsVersion"] == "TLS1_2"
    assert storage["supportsHttpsTrafficOnly"] is True
    cosmos = one(module("database"), "Microsoft.DocumentDB/databaseAccounts")["properties"]
    assert cosmos["minimalTlsVersion"] == "Tls12"
    publishing = resources(module("app"), "Microsoft.Web/sites/basicPublishingCredentialsPolicies")
    assert {(p["name"], p["properties"]["allow"]) for p in publishing} == {("ftp", False), ("scm", False)}


def test_flex_consumption_linux_on_the_python_the_project_tests_on():
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    target = pyproject["tool"]["ruff"]["target-version"]  # e.g. "py311"
    tested = f"{target[2]}.{target[3:]}"
    app = module("app")
    plan = one(app, "Microsoft.Web/serverfarms")
    assert plan["sku"] == {"name": "FC1", "tier": "FlexConsumption"}
    assert plan["properties"]["reserved"] is True, "reserved means Linux"
    site = one(app, "Microsoft.Web/sites")
    assert site["kind"] == "functionapp,linux"
    assert site["properties"]["functionAppConfig"]["runtime"] == {"name": "python", "version": "pythonVersion"}
    assert app["parameters"]["pythonVersion"]["default"] == tested
    assert parse(MAIN)["modules"]["app"]["config"]["params"]["pythonVersion"] == tested
    scale = site["properties"]["functionAppConfig"]["scaleAndConcurrency"]
    assert scale["maximumInstanceCount"] == "maximumInstanceCount"
    # Flex Consumption sets the runtime, content and build itself (functionAppConfig) and refuses these.
    assert not FLEX_REFUSED_SETTINGS & set(app_settings())
    assert not {"linuxFxVersion", "alwaysOn", "functionAppScaleLimit"} & set(site["properties"]["siteConfig"])


def test_the_site_sets_no_property_flex_consumption_refuses():
    site = one(module("app"), "Microsoft.Web/sites")["properties"]
    site_config = set(site["siteConfig"])
    assert site_config <= FLEX_SITE_CONFIG, f"not known to be accepted: {sorted(site_config - FLEX_SITE_CONFIG)}"
    lowered = {p.lower() for p in FLEX_REFUSED_SITE_PROPERTIES}
    assert not {p.lower() for p in site_config | set(site)} & lowered
    # FTP is off all the same: Flex has no FTP endpoint, and basic publishing credentials are refused.
    publishing = resources(module("app"), "Microsoft.Web/sites/basicPublishingCredentialsPolicies")
    assert {(p["name"], p["properties"]["allow"]) for p in publishing} == {("ftp", False), ("scm", False)}


def test_host_storage_is_reached_through_its_blob_endpoint_only():
    """Microsoft's blob-only pattern: the host gets the blob service URI and the blob role, nothing that
    would make it derive queue and table endpoints it has no role for."""
    settings = app_settings()
    assert settings["AzureWebJobsStorage__blobServiceUri"] == "storageBlobEndpoint"
    storage_names = {name for name in settings if name.startswith("AzureWebJobsStorage")}
    assert storage_names == {
        "AzureWebJobsStorage__blobServiceUri",
        "AzureWebJobsStorage__credential",
        "AzureWebJobsStorage__clientId",
    }
    app_params = parse(MAIN)["modules"]["app"]["config"]["params"]
    assert dotted(app_params["storageBlobEndpoint"]) == "storage.outputs.blobEndpoint"
    assert dotted(module("storage")["outputs"]["blobEndpoint"]["value"]) == "storage.properties.primaryEndpoints.blob"


def test_the_region_must_offer_flex_consumption():
    location = parse(MAIN)["parameters"]["location"]
    decorators = {d["type"]: d["argument"] for d in location["decorators"]}
    assert decorators["metadata"] == {"azd": {"type": "location"}}, "azd offers only the allowed regions"
    allowed = decorators["allowed"]
    assert len(allowed) == len(set(allowed)) >= 20
    assert all(re.fullmatch(r"[a-z0-9]+", r) for r in allowed)
    assert {"eastus", "westeurope", "southeastasia"} <= set(allowed)
    assert not {r for r in allowed if r.endswith("euap")}, "canary regions are not for players' data"


def test_player_data_has_continuous_backup():
    database = module("database")
    policy = one(database, "Microsoft.DocumentDB/databaseAccounts")["properties"]["backupPolicy"]
    assert policy == {"type": "Continuous", "continuousModeProperties": {"tier": "backupTier"}}
    tier = database["parameters"]["backupTier"]
    assert tier["default"] == "Continuous7Days"
    allowed = next(d["argument"] for d in tier["decorators"] if d["type"] == "allowed")
    assert allowed == ["Continuous7Days", "Continuous30Days"]


AUDIT_GROUP = [{"categoryGroup": "audit", "enabled": True}]
# Cosmos DB: control-plane requests only (account, containers, roles, backup policy), not every data request.
COSMOS_CONTROL_PLANE = [{"category": "ControlPlaneRequests", "enabled": True}]


@pytest.mark.parametrize(
    ("name", "scope", "logs"),
    [
        ("secrets", "vault", AUDIT_GROUP),
        ("database", "account", COSMOS_CONTROL_PLANE),
        ("storage", "blobService", AUDIT_GROUP),
    ],
    ids=["secrets", "database", "storage"],
)
def test_audit_logs_of_vault_database_and_storage_go_to_log_analytics(name, scope, logs):
    diagnostics = one(module(name), "Microsoft.Insights/diagnosticSettings")
    assert diagnostics["scope"] == scope
    assert diagnostics["properties"]["workspaceId"] == "workspaceId"
    assert diagnostics["properties"]["logs"] == logs
    wired = parse(MAIN)["modules"][name]["config"]["params"]["workspaceId"]
    assert dotted(wired) == "monitoring.outputs.workspaceId"


def test_the_hosts_landing_page_is_off():
    assert app_settings()["AzureWebJobsDisableHomepage"] == "true"


def test_monitoring_is_application_insights_on_log_analytics():
    monitoring = module("monitoring")
    one(monitoring, "Microsoft.OperationalInsights/workspaces")
    insights = one(monitoring, "Microsoft.Insights/components")
    assert dotted(insights["properties"]["WorkspaceResourceId"]) == "workspace.id"
    assert "APPLICATIONINSIGHTS_CONNECTION_STRING" in app_settings()


def test_cosmos_containers_and_partition_keys_match_the_adapter():
    database = module("database")
    variables = {name: v["value"] for name, v in database["variables"].items()}
    assert tuple(variables["containerNames"]) == CONTAINERS
    assert variables["partitionKeyPath"] == "/pk"
    loop = next(
        r["config"]
        for r in database["resources"].values()
        if r["type"] == "Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers"
    )
    assert loop["loop_type"]["detail"] == {"item_name": "containerName", "array_name": "containerNames"}
    container = loop["config"]
    assert container["name"] == container["properties"]["resource"]["id"] == "containerName"
    assert container["properties"]["resource"]["partitionKey"]["paths"] == ["partitionKeyPath"]
    assert container["properties"]["resource"]["indexingPolicy"] == INDEXING_POLICY
    assert container["parent"] == "database"


def test_the_leaderboard_container_has_the_index_the_adapter_creates():
    database = module("database")
    variables = {name: v["value"] for name, v in database["variables"].items()}
    assert variables["rankContainerName"] == RANKS
    ranks = database["resources"]["ranks"]["config"]
    assert ranks["parent"] == "database"
    assert ranks["name"] == ranks["properties"]["resource"]["id"] == "rankContainerName"
    assert ranks["properties"]["resource"]["partitionKey"]["paths"] == ["partitionKeyPath"]
    assert ranks["properties"]["resource"]["indexingPolicy"] == RANK_INDEXING_POLICY


def test_cosmos_is_serverless_by_default_with_an_autoscale_option():
    database = module("database")
    assert database["parameters"]["autoscaleMaxThroughput"]["default"] == 0
    account = one(database, "Microsoft.DocumentDB/databaseAccounts")["properties"]
    capabilities = account["capabilities"]["operator"]
    assert capabilities["type"] == "conditional"
    assert capabilities["operands"]["condition"] == "serverless"
    assert capabilities["operands"]["true_value"] == [{"name": "EnableServerless"}]
    sql_database = one(database, "Microsoft.DocumentDB/databaseAccounts/sqlDatabases")
    options = sql_database["properties"]["options"]["operator"]["operands"]
    assert options["condition"] == "serverless"
    assert options["false_value"] == {"autoscaleSettings": {"maxThroughput": "autoscaleMaxThroughput"}}
    main = parse(MAIN)
    assert main["parameters"]["cosmosAutoscaleMaxThroughput"]["default"] == 0
    assert main["modules"]["database"]["config"]["params"]["autoscaleMaxThroughput"] == "cosmosAutoscaleMaxThroughput"


def test_azd_deploys_this_folder_into_the_tagged_function_app():
    text = (ROOT / "azure.yaml").read_text(encoding="utf-8")
    assert re.search(r"^services:\n  api:\n(    .+\n)*    host: function$", text, re.MULTILINE)
    assert re.search(r"^    language: python$", text, re.MULTILINE)
    tags = one(module("app"), "Microsoft.Web/sites")["tags"]["function"]
    assert tags["type"] == "union"
    assert {"'azd-service-name'": "api"} in tags["parameters"].values()


def test_the_events_container_has_the_retention_as_ttl_and_the_adapters_index():
    database = module("database")
    container = database["resources"]["eventsContainer"]["config"]
    resource = container["properties"]["resource"]
    assert container["name"] == resource["id"] == EVENTS and container["parent"] == "database"
    assert resource["partitionKey"]["paths"] == ["partitionKeyPath"]
    ttl = resource["defaultTtl"]["operator"]
    assert ttl["type"] == "multiply" and ttl["operands"] == {"operand_1": "eventRetentionDays", "operand_2": 86400}
    assert resource["indexingPolicy"] == EVENTS_INDEXING_POLICY
    # One figure: the parameter's default is the setting's, and it reaches both the container and the app.
    main = parse(MAIN)
    assert main["parameters"]["eventRetentionDays"]["default"] == int(default("EVENTS_RETENTION_DAYS"))
    for name in ("database", "app"):
        assert module(name)["parameters"]["eventRetentionDays"]["default"] == int(default("EVENTS_RETENTION_DAYS"))
    for name in ("database", "app"):
        assert main["modules"][name]["config"]["params"]["eventRetentionDays"] == "eventRetentionDays"
    converted = app_settings()["EVENTS_RETENTION_DAYS"]["function"]
    assert converted == {"type": "string", "parameters": {"value_to_convert": "eventRetentionDays"}}
