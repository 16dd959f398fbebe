from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.download_format import DownloadFormat
from ...models.download_url_response import DownloadUrlResponse
from ...models.envelope import Envelope
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    id: str,
    download_format: DownloadFormat,
    uhd: bool | Unset = False,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["id"] = id

    json_download_format = download_format.value
    params["downloadFormat"] = json_download_format

    params["uhd"] = uhd

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/api/download",
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> DownloadUrlResponse | Envelope | None:
    if response.status_code == 200:
        response_200 = DownloadUrlResponse.from_dict(response.json())

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
) -> Response[DownloadUrlResponse | Envelope]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    id: str,
    download_format: DownloadFormat,
    uhd: bool | Unset = False,
) -> Response[DownloadUrlResponse | Envelope]:
    """Get the download URL of a result

     Returns a temporary URL for one result in the requested format. The URL is valid for 12
    hours from the first successful answer; identical requests within that window return the
    same URL. After expiry the URL answers `403`: call this operation again.

    `uhd=true` asks for a high-resolution image (longest side up to 4096 px; originals already
    larger are served as they are).

    Args:
        id (str): A task or result id. Ids are 19-digit numbers, sent as strings because they
            exceed 2^53. Example: 1956366543768004069.
        download_format (DownloadFormat): Output format; images jpg, png, webp; videos mp4, gif,
            webp. Example: png.
        uhd (bool | Unset):  Default: False.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[DownloadUrlResponse | Envelope]
    """

    kwargs = _get_kwargs(
        id=id,
        download_format=download_format,
        uhd=uhd,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient | Client,
    id: str,
    download_format: DownloadFormat,
    uhd: bool | Unset = False,
) -> DownloadUrlResponse | Envelope | None:
    """Get the download URL of a result

     Returns a temporary URL for one result in the requested format. The URL is valid for 12
    hours from the first successful answer; identical requests within that window return the
    same URL. After expiry the URL answers `403`: call this operation again.

    `uhd=true` asks for a high-resolution image (longest side up to 4096 px; originals already
    larger are served as they are).

    Args:
        id (str): A task or result id. Ids are 19-digit numbers, sent as strings because they
            exceed 2^53. Example: 1956366543768004069.
        download_format (DownloadFormat): Output format; images jpg, png, webp; videos mp4, gif,
            webp. Example: png.
        uhd (bool | Unset):  Default: False.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        DownloadUrlResponse | Envelope
    """

    return sync_detailed(
        client=client,
        id=id,
        download_format=download_format,
        uhd=uhd,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    id: str,
    download_format: DownloadFormat,
    uhd: bool | Unset = False,
) -> Response[DownloadUrlResponse | Envelope]:
    """Get the download URL of a result

     Returns a temporary URL for one result in the requested format. The URL is valid for 12
    hours from the first successful answer; identical requests within that window return the
    same URL. After expiry the URL answers `403`: call this operation again.

    `uhd=true` asks for a high-resolution image (longest side up to 4096 px; originals already
    larger are served as they are).

    Args:
        id (str): A task or result id. Ids are 19-digit numbers, sent as strings because they
            exceed 2^53. Example: 1956366543768004069.
        download_format (DownloadFormat): Output format; images jpg, png, webp; videos mp4, gif,
            webp. Example: png.
        uhd (bool | Unset):  Default: False.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[DownloadUrlResponse | Envelope]
    """

    kwargs = _get_kwargs(
        id=id,
        download_format=download_format,
        uhd=uhd,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    id: str,
    download_format: DownloadFormat,
    uhd: bool | Unset = False,
) -> DownloadUrlResponse | Envelope | None:
    """Get the download URL of a result

     Returns a temporary URL for one result in the requested format. The URL is valid for 12
    hours from the first successful answer; identical requests within that window return the
    same URL. After expiry the URL answers `403`: call this operation again.

    `uhd=true` asks for a high-resolution image (longest side up to 4096 px; originals already
    larger are served as they are).

    Args:
        id (str): A task or result id. Ids are 19-digit numbers, sent as strings because they
            exceed 2^53. Example: 1956366543768004069.
        download_format (DownloadFormat): Output format; images jpg, png, webp; videos mp4, gif,
            webp. Example: png.
        uhd (bool | Unset):  Default: False.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        DownloadUrlResponse | Envelope
    """

    return (
        await asyncio_detailed(
            client=client,
            id=id,
            download_format=download_format,
            uhd=uhd,
        )
    ).parsed
