from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="ImageToVideoRequest")


@_attrs_define
class ImageToVideoRequest:
    image_key: str
    """ Storage key of an uploaded file, e.g. `UPLOAD/<account>/<yyyy>/<mm>/<dd>/<32 hex>.<ext>`. """
    prompt: str | Unset = UNSET
    """ What should happen in the video. """
    audio_prompt: str | Unset = UNSET
    """ Description of the audio track. """
    auto_audio: bool | Unset = UNSET
    """ Generate audio automatically. """
    model: str | Unset = UNSET
    """ Video model; the accepted values were not captured. """
    video_duration: int | Unset = UNSET
    """ Length in seconds; 5 and 10 are the durations with a documented price. """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        image_key = self.image_key

        prompt = self.prompt

        audio_prompt = self.audio_prompt

        auto_audio = self.auto_audio

        model = self.model

        video_duration = self.video_duration

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "imageKey": image_key,
            }
        )
        if prompt is not UNSET:
            field_dict["prompt"] = prompt
        if audio_prompt is not UNSET:
            field_dict["audioPrompt"] = audio_prompt
        if auto_audio is not UNSET:
            field_dict["autoAudio"] = auto_audio
        if model is not UNSET:
            field_dict["model"] = model
        if video_duration is not UNSET:
            field_dict["videoDuration"] = video_duration

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        image_key = d.pop("imageKey")

        prompt = d.pop("prompt", UNSET)

        audio_prompt = d.pop("audioPrompt", UNSET)

        auto_audio = d.pop("autoAudio", UNSET)

        model = d.pop("model", UNSET)

        video_duration = d.pop("videoDuration", UNSET)

        image_to_video_request = cls(
            image_key=image_key,
            prompt=prompt,
            audio_prompt=audio_prompt,
            auto_audio=auto_audio,
            model=model,
            video_duration=video_duration,
        )

        image_to_video_request.additional_properties = d
        return image_to_video_request

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
