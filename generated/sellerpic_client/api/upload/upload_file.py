from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.envelope import Envelope
from ...types import File, Response


def _get_kwargs(
    upload_token: str,
    *,
    body: File,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "put",
        "url": "/presigned/{upload_token}".format(
            upload_token=quote(str(upload_token), safe=""),
        ),
    }

    _kwargs["content"] = body.payload
    headers["Content-Type"] = "application/octet-stream"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Any | Envelope | None:
    if response.status_code == 200:
        response_200 = cast(Any, None)
        return response_200

    if response.status_code == 400:
        response_400 = Envelope.from_dict(response.json())

        return response_400

    if response.status_code == 403:
        response_403 = Envelope.from_dict(response.json())

        return response_403

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
) -> Response[Any | Envelope]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    upload_token: str,
    *,
    client: AuthenticatedClient | Client,
    body: File,
) -> Response[Any | Envelope]:
    """Upload a file to its presigned URL

     Sends the raw bytes of the file to the `imageUrl` returned by `getUploadUrl`, without the
    API key. `200` means the file was stored; `403` means the URL expired (30 minutes) or was
    altered: ask for a new one.

    The real URL is opaque object storage whose host and shape are not documented: always `PUT`
    to `imageUrl` exactly as returned. This operation models it as `{origin}/presigned/{uploadToken}`,
    which is the shape the offline simulator issues.

    Args:
        upload_token (str):
        body (File):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | Envelope]
    """

    kwargs = _get_kwargs(
        upload_token=upload_token,
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    upload_token: str,
    *,
    client: AuthenticatedClient | Client,
    body: File,
) -> Any | Envelope | None:
    """Upload a file to its presigned URL

     Sends the raw bytes of the file to the `imageUrl` returned by `getUploadUrl`, without the
    API key. `200` means the file was stored; `403` means the URL expired (30 minutes) or was
    altered: ask for a new one.

    The real URL is opaque object storage whose host and shape are not documented: always `PUT`
    to `imageUrl` exactly as returned. This operation models it as `{origin}/presigned/{uploadToken}`,
    which is the shape the offline simulator issues.

    Args:
        upload_token (str):
        body (File):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | Envelope
    """

    return sync_detailed(
        upload_token=upload_token,
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    upload_token: str,
    *,
    client: AuthenticatedClient | Client,
    body: File,
) -> Response[Any | Envelope]:
    """Upload a file to its presigned URL

     Sends the raw bytes of the file to the `imageUrl` returned by `getUploadUrl`, without the
    API key. `200` means the file was stored; `403` means the URL expired (30 minutes) or was
    altered: ask for a new one.

    The real URL is opaque object storage whose host and shape are not documented: always `PUT`
    to `imageUrl` exactly as returned. This operation models it as `{origin}/presigned/{uploadToken}`,
    which is the shape the offline simulator issues.

    Args:
        upload_token (str):
        body (File):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | Envelope]
    """

    kwargs = _get_kwargs(
        upload_token=upload_token,
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    upload_token: str,
    *,
    client: AuthenticatedClient | Client,
    body: File,
) -> Any | Envelope | None:
    """Upload a file to its presigned URL

     Sends the raw bytes of the file to the `imageUrl` returned by `getUploadUrl`, without the
    API key. `200` means the file was stored; `403` means the URL expired (30 minutes) or was
    altered: ask for a new one.

    The real URL is opaque object storage whose host and shape are not documented: always `PUT`
    to `imageUrl` exactly as returned. This operation models it as `{origin}/presigned/{uploadToken}`,
    which is the shape the offline simulator issues.

    Args:
        upload_token (str):
        body (File):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | Envelope
    """

    return (
        await asyncio_detailed(
            upload_token=upload_token,
            client=client,
            body=body,
        )
    ).parsed
