"""One Redis round trip for an event's groups, instead of one PUBLISH (and one lock wait) each.

channels-redis' pub/sub layer publishes group by group, each under a per-shard lock, so a message
to a group of four waits four round trips in line with every other publish of the process, and
is serialized four times. This pipelines the PUBLISHes of one event per shard, with the payload
serialized once. It uses the layer's own naming, sharding, serializer and connection (private
parts of channels-redis, pinned in requirements.txt; tests/realtime cover delivery through it)."""

from collections import defaultdict
from typing import Any

from channels_redis.pubsub import RedisPubSubChannelLayer


def supports(layer: object) -> bool:
    return isinstance(layer, RedisPubSubChannelLayer)


async def publish_to_groups(layer: RedisPubSubChannelLayer, groups: list[str], message: dict[str, Any]) -> None:
    """Publish one message to several groups, pipelined per Redis shard."""
    loop_layer = layer._get_layer()
    payload = layer.serialize(message)
    by_shard: dict[Any, list[str]] = defaultdict(list)
    for group in groups:
        channel = loop_layer._get_group_channel_name(group)
        by_shard[loop_layer._get_shard(channel)].append(channel)
    for shard, channels in by_shard.items():
        async with shard._lock:
            shard._ensure_redis()
            async with shard._redis.pipeline(transaction=False) as pipe:
                for channel in channels:
                    pipe.publish(channel, payload)
                await pipe.execute()
