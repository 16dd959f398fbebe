from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.envelope import Envelope
from ...models.preset_page_response import PresetPageResponse
from ...models.preset_type import PresetType
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    type_: PresetType,
    page_num: int | Unset = 1,
    page_size: int | Unset = 10,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    json_type_ = type_.value
    params["type"] = json_type_

    params["pageNum"] = page_num

    params["pageSize"] = page_size

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/api/presets",
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Envelope | PresetPageResponse | None:
    if response.status_code == 200:
        response_200 = PresetPageResponse.from_dict(response.json())

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
) -> Response[Envelope | PresetPageResponse]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    type_: PresetType,
    page_num: int | Unset = 1,
    page_size: int | Unset = 10,
) -> Response[Envelope | PresetPageResponse]:
    """List preset materials

     Pages through the preset catalogue of one type: fashion models and scenes for `swapModel`,
    AI background styles and background images for `replaceBackground`.

    Args:
        type_ (PresetType): `SWAP_MODEL` and `SWAP_MODEL_SCENE` for swapModel, `AI_BACKGROUND` and
            `BACKGROUND` for replaceBackground. Example: AI_BACKGROUND.
        page_num (int | Unset):  Default: 1.
        page_size (int | Unset):  Default: 10.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Envelope | PresetPageResponse]
    """

    kwargs = _get_kwargs(
        type_=type_,
        page_num=page_num,
        page_size=page_size,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    type_: PresetType,
    page_num: int | Unset = 1,
    page_size: int | Unset = 10,
) -> Envelope | PresetPageResponse | None:
    """List preset materials

     Pages through the preset catalogue of one type: fashion models and scenes for `swapModel`,
    AI background styles and background images for `replaceBackground`.

    Args:
        type_ (PresetType): `SWAP_MODEL` and `SWAP_MODEL_SCENE` for swapModel, `AI_BACKGROUND` and
            `BACKGROUND` for replaceBackground. Example: AI_BACKGROUND.
        page_num (int | Unset):  Default: 1.
        page_size (int | Unset):  Default: 10.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Envelope | PresetPageResponse
    """

    return sync_detailed(
        client=client,
        type_=type_,
        page_num=page_num,
        page_size=page_size,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    type_: PresetType,
    page_num: int | Unset = 1,
    page_size: int | Unset = 10,
) -> Response[Envelope | PresetPageResponse]:
    """List preset materials

     Pages through the preset catalogue of one type: fashion models and scenes for `swapModel`,
    AI background styles and background images for `replaceBackground`.

    Args:
        type_ (PresetType): `SWAP_MODEL` and `SWAP_MODEL_SCENE` for swapModel, `AI_BACKGROUND` and
            `BACKGROUND` for replaceBackground. Example: AI_BACKGROUND.
        page_num (int | Unset):  Default: 1.
        page_size (int | Unset):  Default: 10.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Envelope | PresetPageResponse]
    """

    kwargs = _get_kwargs(
        type_=type_,
        page_num=page_num,
        page_size=page_size,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    type_: PresetType,
    page_num: int | Unset = 1,
    page_size: int | Unset = 10,
) -> Envelope | PresetPageResponse | None:
    """List preset materials

     Pages through the preset catalogue of one type: fashion models and scenes for `swapModel`,
    AI background styles and background images for `replaceBackground`.

    Args:
        type_ (PresetType): `SWAP_MODEL` and `SWAP_MODEL_SCENE` for swapModel, `AI_BACKGROUND` and
            `BACKGROUND` for replaceBackground. Example: AI_BACKGROUND.
        page_num (int | Unset):  Default: 1.
        page_size (int | Unset):  Default: 10.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Envelope | PresetPageResponse
    """

    return (
        await asyncio_detailed(
            client=client,
            type_=type_,
            page_num=page_num,
            page_size=page_size,
        )
    ).parsed
