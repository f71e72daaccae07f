-- Circle notifications already handled (issue 15), keyed by Circle's notificationId: the webhook claims the id
-- before it starts or signals anything, so a redelivery — to this or any other API process — does nothing again.
-- A claim whose handling failed is deleted, so Circle's redelivery is handled.

CREATE TABLE "circle_notifications" (
    "notification_id" VARCHAR(255) NOT NULL,
    "notification_type" VARCHAR(100) NOT NULL,
    "received_at" TIMESTAMPTZ NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "circle_notifications_pkey" PRIMARY KEY ("notification_id")
);
