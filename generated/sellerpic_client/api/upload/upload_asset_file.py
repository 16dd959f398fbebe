from http import HTTPStatus
from typing import Any, cast

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.envelope import Envelope
from ...models.upload_asset_file_request import UploadAssetFileRequest
from ...models.uploaded_asset_response import UploadedAssetResponse
from ...types import Response


def _get_kwargs(
    *,
    body: UploadAssetFileRequest,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/api/upload",
    }

    _kwargs["files"] = body.to_multipart()

    headers["Content-Type"] = "multipart/form-data; boundary=+++"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Any | Envelope | UploadedAssetResponse | None:
    if response.status_code == 200:
        response_200 = UploadedAssetResponse.from_dict(response.json())

        return response_200

    if response.status_code == 201:
        response_201 = cast(Any, None)
        return response_201

    if response.status_code == 400:
        response_400 = Envelope.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = Envelope.from_dict(response.json())

        return response_401

    if response.status_code == 403:
        response_403 = Envelope.from_dict(response.json())

        return response_403

    if response.status_code == 404:
        response_404 = Envelope.from_dict(response.json())

        return response_404

    if response.status_code == 413:
        response_413 = Envelope.from_dict(response.json())

        return response_413

    if response.status_code == 500:
        response_500 = Envelope.from_dict(response.json())

        return response_500

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[Any | Envelope | UploadedAssetResponse]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: UploadAssetFileRequest,
) -> Response[Any | Envelope | UploadedAssetResponse]:
    """Upload a file in one request

     Uploads one image as `multipart/form-data` (field `file`) and returns its file key
    (API 1.0.1).

    - Formats: jpg, jpeg, png, webp.
    - One image per request, at most 40 MB; each task's own limits still apply.

    Args:
        body (UploadAssetFileRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | Envelope | UploadedAssetResponse]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient | Client,
    body: UploadAssetFileRequest,
) -> Any | Envelope | UploadedAssetResponse | None:
    """Upload a file in one request

     Uploads one image as `multipart/form-data` (field `file`) and returns its file key
    (API 1.0.1).

    - Formats: jpg, jpeg, png, webp.
    - One image per request, at most 40 MB; each task's own limits still apply.

    Args:
        body (UploadAssetFileRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | Envelope | UploadedAssetResponse
    """

    return sync_detailed(
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: UploadAssetFileRequest,
) -> Response[Any | Envelope | UploadedAssetResponse]:
    """Upload a file in one request

     Uploads one image as `multipart/form-data` (field `file`) and returns its file key
    (API 1.0.1).

    - Formats: jpg, jpeg, png, webp.
    - One image per request, at most 40 MB; each task's own limits still apply.

    Args:
        body (UploadAssetFileRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | Envelope | UploadedAssetResponse]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    body: UploadAssetFileRequest,
) -> Any | Envelope | UploadedAssetResponse | None:
    """Upload a file in one request

     Uploads one image as `multipart/form-data` (field `file`) and returns its file key
    (API 1.0.1).

    - Formats: jpg, jpeg, png, webp.
    - One image per request, at most 40 MB; each task's own limits still apply.

    Args:
        body (UploadAssetFileRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | Envelope | UploadedAssetResponse
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
        )
    ).parsed
