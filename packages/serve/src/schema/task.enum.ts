/**
 * The `Task` GraphQL enum: the same lowercase names as core's `Task` (age, ethnicity, gender), so a
 * value read from a response can be used with core's functions without mapping.
 */
import { registerEnumType } from 'type-graphql';
import type { Task } from '@facekit/core';

export const TaskEnum: { readonly [K in Task]: K } = { age: 'age', ethnicity: 'ethnicity', gender: 'gender' };

registerEnumType(TaskEnum, {
  name: 'Task',
  description: 'A classification task: age (age group), ethnicity (UTKFace codes) or gender.',
});
