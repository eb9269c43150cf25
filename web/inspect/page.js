// What the server told this page in its hello: the stage (where the management API is) and
// whether payloads are shown.
export const page = { stage: 'dev', payloads: true };
