from http import HTTPStatus
from typing import Any, cast

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.envelope import Envelope
from ...models.task_created_response import TaskCreatedResponse
from ...models.try_on_accessories_request import TryOnAccessoriesRequest
from ...types import Response


def _get_kwargs(
    *,
    body: TryOnAccessoriesRequest,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/api/generate/tryOnAccessories",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Any | Envelope | TaskCreatedResponse | None:
    if response.status_code == 200:
        response_200 = TaskCreatedResponse.from_dict(response.json())

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

    if response.status_code == 500:
        response_500 = Envelope.from_dict(response.json())

        return response_500

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[Any | Envelope | TaskCreatedResponse]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: TryOnAccessoriesRequest,
) -> Response[Any | Envelope | TaskCreatedResponse]:
    """Create an accessories try-on task

     Places a product (bag, hat, jewellery...) on a model, inside the region given by the model mask.

    - Formats: jpg, jpeg, png, webp, no animation. Max file size 10 MB. Max resolution 4096 px.
    - Mask: black background, white subject, same dimensions as its image.
    - Credits: 1 per successful image; 2 images per request.
    - Concurrency limit: 10 tasks in `CREATED` or `RUNNING`.
    - Produces two results.

    Args:
        body (TryOnAccessoriesRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | Envelope | TaskCreatedResponse]
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
    body: TryOnAccessoriesRequest,
) -> Any | Envelope | TaskCreatedResponse | None:
    """Create an accessories try-on task

     Places a product (bag, hat, jewellery...) on a model, inside the region given by the model mask.

    - Formats: jpg, jpeg, png, webp, no animation. Max file size 10 MB. Max resolution 4096 px.
    - Mask: black background, white subject, same dimensions as its image.
    - Credits: 1 per successful image; 2 images per request.
    - Concurrency limit: 10 tasks in `CREATED` or `RUNNING`.
    - Produces two results.

    Args:
        body (TryOnAccessoriesRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | Envelope | TaskCreatedResponse
    """

    return sync_detailed(
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: TryOnAccessoriesRequest,
) -> Response[Any | Envelope | TaskCreatedResponse]:
    """Create an accessories try-on task

     Places a product (bag, hat, jewellery...) on a model, inside the region given by the model mask.

    - Formats: jpg, jpeg, png, webp, no animation. Max file size 10 MB. Max resolution 4096 px.
    - Mask: black background, white subject, same dimensions as its image.
    - Credits: 1 per successful image; 2 images per request.
    - Concurrency limit: 10 tasks in `CREATED` or `RUNNING`.
    - Produces two results.

    Args:
        body (TryOnAccessoriesRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | Envelope | TaskCreatedResponse]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    body: TryOnAccessoriesRequest,
) -> Any | Envelope | TaskCreatedResponse | None:
    """Create an accessories try-on task

     Places a product (bag, hat, jewellery...) on a model, inside the region given by the model mask.

    - Formats: jpg, jpeg, png, webp, no animation. Max file size 10 MB. Max resolution 4096 px.
    - Mask: black background, white subject, same dimensions as its image.
    - Credits: 1 per successful image; 2 images per request.
    - Concurrency limit: 10 tasks in `CREATED` or `RUNNING`.
    - Produces two results.

    Args:
        body (TryOnAccessoriesRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | Envelope | TaskCreatedResponse
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
        )
    ).parsed
