"""The DBOS side of the durable tests, run as a script: start a run, or recover the runs a killed process left.

`python dbos_app.py <sqlite path> <workflow id> start <prompt>` runs the agent as workflow `<workflow id>`;
`python dbos_app.py <sqlite path> <workflow id> batch <prompt,prompt>` sends a batch the same way;
`python dbos_app.py <sqlite path> <workflow id> recover` launches DBOS (which resumes unfinished workflows) and waits
for that workflow. Each prints the run's result as JSON on the last line. In the tests, `main(...)` runs in a spare
process of `WarmPool` with the same arguments.
"""

from __future__ import annotations

import asyncio
import json
import sys
from typing import Any

from dbos import DBOS, SetWorkflowID
from durable_agent import TripDeps, agent

from pydantic_ai import ModelRequest
from pydantic_ai.durable_exec.dbos import DBOSAgent, sqlite_config


def main(path: str, workflow_id: str, mode: str, prompt: str = '') -> None:
    DBOS(
        config=sqlite_config(
            path,
            {
                'name': 'durable-tests',
                'log_level': 'WARNING',
                # DBOS's background listener sleeps this long between polls, and `DBOS.destroy()` waits for it (1 s).
                'notification_listener_polling_interval_sec': 0.05,
            },
        )
    )
    dbos_agent = DBOSAgent(agent)

    async def go() -> None:
        data: Any
        DBOS.launch()
        print('launched', flush=True)
        if mode == 'start':
            with SetWorkflowID(workflow_id):
                result = await dbos_agent.run(prompt, deps=TripDeps(traveller='Ada'))
            data, requests = result.data, result.usage().requests
        elif mode == 'batch':
            with SetWorkflowID(workflow_id):
                results = await dbos_agent.model_request_batch(
                    [(None, [ModelRequest.user_text_prompt(text)]) for text in prompt.split(',')], poll_interval=0.1
                )
            data = [part.content for result in results if result.response for part in result.response.parts]
            requests = 0
        else:
            handle = await DBOS.retrieve_workflow_async(workflow_id)
            recorded = json.loads(await handle.get_result(polling_interval_sec=0.05))  # 1 s by default
            if isinstance(recorded, list):  # a batch's results
                data = [item['response']['parts'][0]['content'] for item in recorded]
                requests = 0
            else:
                data, requests = recorded['data'], recorded['usage']['requests']
        print(json.dumps({'data': data, 'requests': requests}), flush=True)

    try:
        asyncio.run(go())
    finally:
        DBOS.destroy()


if __name__ == '__main__':
    main(*sys.argv[1:])
