from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.envelope import Envelope
from ...models.upload_format import UploadFormat
from ...models.upload_url_response import UploadUrlResponse
from ...types import UNSET, Response


def _get_kwargs(
    *,
    format_: UploadFormat,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    json_format_ = format_.value
    params["format"] = json_format_

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/api/upload/url",
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Envelope | UploadUrlResponse | None:
    if response.status_code == 200:
        response_200 = UploadUrlResponse.from_dict(response.json())

        return response_200

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

    if response.status_code == 500:
        response_500 = Envelope.from_dict(response.json())

        return response_500

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[Envelope | UploadUrlResponse]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    format_: UploadFormat,
) -> Response[Envelope | UploadUrlResponse]:
    """Get a presigned upload URL

     Reserves a file key and returns a presigned URL to `PUT` the file to (see `uploadFile`).
    The URL is valid for 30 minutes from generation.

    Accepted formats: jpg, jpeg, png, webp. The file itself must respect the limits of the task
    it is used in (most: 10 MB, 4096 px, no animation).

    Args:
        format_ (UploadFormat): Accepted upload formats. Example: png.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Envelope | UploadUrlResponse]
    """

    kwargs = _get_kwargs(
        format_=format_,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient | Client,
    format_: UploadFormat,
) -> Envelope | UploadUrlResponse | None:
    """Get a presigned upload URL

     Reserves a file key and returns a presigned URL to `PUT` the file to (see `uploadFile`).
    The URL is valid for 30 minutes from generation.

    Accepted formats: jpg, jpeg, png, webp. The file itself must respect the limits of the task
    it is used in (most: 10 MB, 4096 px, no animation).

    Args:
        format_ (UploadFormat): Accepted upload formats. Example: png.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Envelope | UploadUrlResponse
    """

    return sync_detailed(
        client=client,
        format_=format_,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    format_: UploadFormat,
) -> Response[Envelope | UploadUrlResponse]:
    """Get a presigned upload URL

     Reserves a file key and returns a presigned URL to `PUT` the file to (see `uploadFile`).
    The URL is valid for 30 minutes from generation.

    Accepted formats: jpg, jpeg, png, webp. The file itself must respect the limits of the task
    it is used in (most: 10 MB, 4096 px, no animation).

    Args:
        format_ (UploadFormat): Accepted upload formats. Example: png.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Envelope | UploadUrlResponse]
    """

    kwargs = _get_kwargs(
        format_=format_,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    format_: UploadFormat,
) -> Envelope | UploadUrlResponse | None:
    """Get a presigned upload URL

     Reserves a file key and returns a presigned URL to `PUT` the file to (see `uploadFile`).
    The URL is valid for 30 minutes from generation.

    Accepted formats: jpg, jpeg, png, webp. The file itself must respect the limits of the task
    it is used in (most: 10 MB, 4096 px, no animation).

    Args:
        format_ (UploadFormat): Accepted upload formats. Example: png.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Envelope | UploadUrlResponse
    """

    return (
        await asyncio_detailed(
            client=client,
            format_=format_,
        )
    ).parsed
