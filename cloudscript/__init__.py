"""The studio's server functions: every module in this package is loaded, and each function decorated
with `@server_function` can be called by name through `CloudScript/ExecuteFunction` and
`Client/`/`Server/ExecuteCloudScript` (README, "Server functions").
"""
