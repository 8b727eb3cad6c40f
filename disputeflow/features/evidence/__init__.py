"""Evidence packets: assembled per case from the platforms and what disputeflow holds."""
