from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.envelope import Envelope
from ...models.task_status_response import TaskStatusResponse
from ...types import UNSET, Response


def _get_kwargs(
    *,
    id: str,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["id"] = id

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/api/generate",
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Envelope | TaskStatusResponse | None:
    if response.status_code == 200:
        response_200 = TaskStatusResponse.from_dict(response.json())

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
) -> Response[Envelope | TaskStatusResponse]:
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
) -> Response[Envelope | TaskStatusResponse]:
    """Get a task's status and results

     Returns one item per output of the task, each `CREATED`, `RUNNING`, `SUCCESS` or `FAILED`.
    The list is complete from the first call after creation. When an item is `SUCCESS`, pass its
    `id` to `getDownloadUrl`.

    Poll at most once a minute. Treat any status other than the four known ones as still in
    progress.

    Args:
        id (str): A task or result id. Ids are 19-digit numbers, sent as strings because they
            exceed 2^53. Example: 1956366543768004069.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Envelope | TaskStatusResponse]
    """

    kwargs = _get_kwargs(
        id=id,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient | Client,
    id: str,
) -> Envelope | TaskStatusResponse | None:
    """Get a task's status and results

     Returns one item per output of the task, each `CREATED`, `RUNNING`, `SUCCESS` or `FAILED`.
    The list is complete from the first call after creation. When an item is `SUCCESS`, pass its
    `id` to `getDownloadUrl`.

    Poll at most once a minute. Treat any status other than the four known ones as still in
    progress.

    Args:
        id (str): A task or result id. Ids are 19-digit numbers, sent as strings because they
            exceed 2^53. Example: 1956366543768004069.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Envelope | TaskStatusResponse
    """

    return sync_detailed(
        client=client,
        id=id,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    id: str,
) -> Response[Envelope | TaskStatusResponse]:
    """Get a task's status and results

     Returns one item per output of the task, each `CREATED`, `RUNNING`, `SUCCESS` or `FAILED`.
    The list is complete from the first call after creation. When an item is `SUCCESS`, pass its
    `id` to `getDownloadUrl`.

    Poll at most once a minute. Treat any status other than the four known ones as still in
    progress.

    Args:
        id (str): A task or result id. Ids are 19-digit numbers, sent as strings because they
            exceed 2^53. Example: 1956366543768004069.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Envelope | TaskStatusResponse]
    """

    kwargs = _get_kwargs(
        id=id,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    id: str,
) -> Envelope | TaskStatusResponse | None:
    """Get a task's status and results

     Returns one item per output of the task, each `CREATED`, `RUNNING`, `SUCCESS` or `FAILED`.
    The list is complete from the first call after creation. When an item is `SUCCESS`, pass its
    `id` to `getDownloadUrl`.

    Poll at most once a minute. Treat any status other than the four known ones as still in
    progress.

    Args:
        id (str): A task or result id. Ids are 19-digit numbers, sent as strings because they
            exceed 2^53. Example: 1956366543768004069.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Envelope | TaskStatusResponse
    """

    return (
        await asyncio_detailed(
            client=client,
            id=id,
        )
    ).parsed
