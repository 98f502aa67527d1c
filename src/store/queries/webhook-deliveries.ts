import { asc, eq } from 'drizzle-orm';
import type { Db } from '../client.js';
import { withStoreErrors } from '../errors.js';
import { type NewWebhookDelivery, type WebhookDelivery, webhookDeliveries } from '../schema/index.js';

/** Records one webhook delivery attempt. */
export async function insertWebhookDelivery(db: Db, delivery: NewWebhookDelivery): Promise<void> {
  await withStoreErrors('insert webhook delivery', async () => {
    await db.insert(webhookDeliveries).values(delivery);
  });
}

/** Every recorded delivery attempt for a job, oldest first. */
export async function listWebhookDeliveries(db: Db, jobId: string): Promise<WebhookDelivery[]> {
  return withStoreErrors('list webhook deliveries', () =>
    db
      .select()
      .from(webhookDeliveries)
      .where(eq(webhookDeliveries.jobId, jobId))
      .orderBy(asc(webhookDeliveries.createdAt), asc(webhookDeliveries.attempt)),
  );
}
