"""Entity objects and profiles."""

import azure.functions as func

from functions.serve import serve
from shared import objects, profiles

bp = func.Blueprint()


@bp.route(route="Object/SetObjects", methods=["POST"])
async def object_set_objects(req: func.HttpRequest) -> func.HttpResponse:
    return await serve(req, objects.set_objects)


@bp.route(route="Object/GetObjects", methods=["POST"])
async def object_get_objects(req: func.HttpRequest) -> func.HttpResponse:
    return await serve(req, objects.get_objects)


@bp.route(route="Profile/GetProfile", methods=["POST"])
async def profile_get_profile(req: func.HttpRequest) -> func.HttpResponse:
    return await serve(req, profiles.get_profile)


@bp.route(route="Profile/GetProfiles", methods=["POST"])
async def profile_get_profiles(req: func.HttpRequest) -> func.HttpResponse:
    return await serve(req, profiles.get_profiles)
