<?xml version="1.0" encoding="UTF-8"?>
<!--
  ephyto: domestic PhytosanitaryCertificate (urn:swnode:domestic:ephyto:1)
  -> UN/CEFACT SPS certificate as exchanged through the IPPC ePhyto hub.

  Input: a document valid against domestic.xsd.  Output: a document valid
  against the hub's own schemas (schemas/ephyto/hub/driver.xsd) that passes
  the profile rules (profile.sch).  Values are copied as they are (the
  domestic form already holds them normalised); the element order is the
  hub's; a part the domestic document leaves out is left out, except the
  TypeCode of a referenced document, which the hub requires (written empty
  when the domestic document has none).  All trade line items go into one
  IncludedSPSConsignmentItem.  The field table is in docs/doctypes/ephyto.md.
-->
<xsl:stylesheet version="1.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:d="urn:swnode:domestic:ephyto:1"
    xmlns:rsm="urn:un:unece:uncefact:data:standard:SPSCertificate:17"
    xmlns:ram="urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:21"
    xmlns:udt="urn:un:unece:uncefact:data:standard:UnqualifiedDataType:21"
    exclude-result-prefixes="d">

  <xsl:output method="xml" encoding="UTF-8" indent="yes"/>
  <xsl:strip-space elements="*"/>

  <xsl:template match="/">
    <xsl:apply-templates select="d:PhytosanitaryCertificate"/>
  </xsl:template>

  <xsl:template match="d:PhytosanitaryCertificate">
    <rsm:SPSCertificate>
      <rsm:SPSExchangedDocument>
        <xsl:for-each select="d:Title">
          <ram:Name><xsl:value-of select="."/></ram:Name>
        </xsl:for-each>
        <ram:ID><xsl:value-of select="d:CertificateId"/></ram:ID>
        <ram:TypeCode><xsl:value-of select="d:TypeCode"/></ram:TypeCode>
        <ram:StatusCode><xsl:value-of select="d:StatusCode"/></ram:StatusCode>
        <ram:IssueDateTime>
          <xsl:apply-templates select="d:IssueDateTime" mode="date-time"/>
        </ram:IssueDateTime>
        <xsl:for-each select="d:IssuerName">
          <ram:IssuerSPSParty>
            <ram:Name><xsl:value-of select="."/></ram:Name>
          </ram:IssuerSPSParty>
        </xsl:for-each>
        <xsl:apply-templates select="d:Note"/>
        <xsl:apply-templates select="d:ReferencedDocument"/>
        <xsl:apply-templates select="d:Signatory"/>
      </rsm:SPSExchangedDocument>
      <rsm:SPSConsignment>
        <xsl:for-each select="d:Consignor">
          <ram:ConsignorSPSParty>
            <xsl:apply-templates select="." mode="party"/>
          </ram:ConsignorSPSParty>
        </xsl:for-each>
        <xsl:for-each select="d:Consignee">
          <ram:ConsigneeSPSParty>
            <xsl:apply-templates select="." mode="party"/>
          </ram:ConsigneeSPSParty>
        </xsl:for-each>
        <xsl:for-each select="d:ExportCountry">
          <ram:ExportSPSCountry>
            <xsl:apply-templates select="." mode="country"/>
          </ram:ExportSPSCountry>
        </xsl:for-each>
        <xsl:for-each select="d:ImportCountry">
          <ram:ImportSPSCountry>
            <xsl:apply-templates select="." mode="country"/>
          </ram:ImportSPSCountry>
        </xsl:for-each>
        <xsl:for-each select="d:TransitCountry">
          <ram:TransitSPSCountry>
            <xsl:apply-templates select="." mode="country"/>
          </ram:TransitSPSCountry>
        </xsl:for-each>
        <xsl:for-each select="d:UnloadingPort">
          <ram:UnloadingBaseportSPSLocation>
            <xsl:for-each select="d:Code">
              <ram:ID><xsl:value-of select="."/></ram:ID>
            </xsl:for-each>
            <xsl:for-each select="d:Name">
              <ram:Name><xsl:value-of select="."/></ram:Name>
            </xsl:for-each>
          </ram:UnloadingBaseportSPSLocation>
        </xsl:for-each>
        <xsl:for-each select="d:ExaminationLocation">
          <ram:ExaminationSPSEvent>
            <ram:OccurrenceSPSLocation>
              <ram:Name><xsl:value-of select="."/></ram:Name>
            </ram:OccurrenceSPSLocation>
          </ram:ExaminationSPSEvent>
        </xsl:for-each>
        <xsl:apply-templates select="d:Transport"/>
        <xsl:apply-templates select="d:TransportEquipment"/>
        <xsl:if test="d:Item">
          <ram:IncludedSPSConsignmentItem>
            <xsl:apply-templates select="d:Item"/>
          </ram:IncludedSPSConsignmentItem>
        </xsl:if>
      </rsm:SPSConsignment>
    </rsm:SPSCertificate>
  </xsl:template>

  <!-- ===== SPSExchangedDocument parts ===== -->

  <xsl:template match="d:Note">
    <ram:IncludedSPSNote>
      <xsl:for-each select="d:Subject">
        <ram:Subject><xsl:value-of select="."/></ram:Subject>
      </xsl:for-each>
      <xsl:for-each select="d:Content">
        <ram:Content><xsl:apply-templates select="." mode="text"/></ram:Content>
      </xsl:for-each>
    </ram:IncludedSPSNote>
  </xsl:template>

  <xsl:template match="d:ReferencedDocument">
    <ram:ReferenceSPSReferencedDocument>
      <xsl:for-each select="d:IssueDateTime">
        <ram:IssueDateTime><xsl:apply-templates select="." mode="date-time"/></ram:IssueDateTime>
      </xsl:for-each>
      <ram:TypeCode><xsl:value-of select="d:TypeCode"/></ram:TypeCode>
      <xsl:for-each select="d:RelationshipCode">
        <ram:RelationshipTypeCode><xsl:value-of select="."/></ram:RelationshipTypeCode>
      </xsl:for-each>
      <xsl:for-each select="d:DocumentId">
        <ram:ID><xsl:value-of select="."/></ram:ID>
      </xsl:for-each>
      <xsl:for-each select="d:Attachment">
        <ram:AttachmentBinaryObject>
          <xsl:for-each select="@filename">
            <xsl:attribute name="filename"><xsl:value-of select="."/></xsl:attribute>
          </xsl:for-each>
          <xsl:value-of select="."/>
        </ram:AttachmentBinaryObject>
      </xsl:for-each>
      <xsl:for-each select="d:Information">
        <ram:Information><xsl:apply-templates select="." mode="text"/></ram:Information>
      </xsl:for-each>
    </ram:ReferenceSPSReferencedDocument>
  </xsl:template>

  <xsl:template match="d:Signatory">
    <ram:SignatorySPSAuthentication>
      <xsl:for-each select="d:SignedDateTime">
        <ram:ActualDateTime>
          <xsl:apply-templates select="." mode="date-time"/>
        </ram:ActualDateTime>
      </xsl:for-each>
      <xsl:for-each select="d:SignedAt">
        <ram:IssueSPSLocation>
          <ram:Name><xsl:value-of select="."/></ram:Name>
        </ram:IssueSPSLocation>
      </xsl:for-each>
      <xsl:if test="d:AuthorityName | d:OfficerName">
        <ram:ProviderSPSParty>
          <xsl:for-each select="d:AuthorityName">
            <ram:Name><xsl:value-of select="."/></ram:Name>
          </xsl:for-each>
          <xsl:for-each select="d:OfficerName">
            <ram:SpecifiedSPSPerson>
              <ram:Name><xsl:value-of select="."/></ram:Name>
            </ram:SpecifiedSPSPerson>
          </xsl:for-each>
        </ram:ProviderSPSParty>
      </xsl:if>
      <xsl:for-each select="d:Clause">
        <ram:IncludedSPSClause>
          <ram:ID><xsl:value-of select="d:Id"/></ram:ID>
          <xsl:for-each select="d:Text">
            <ram:Content><xsl:value-of select="."/></ram:Content>
          </xsl:for-each>
        </ram:IncludedSPSClause>
      </xsl:for-each>
    </ram:SignatorySPSAuthentication>
  </xsl:template>

  <!-- ===== SPSConsignment parts ===== -->

  <xsl:template match="*" mode="party">
    <xsl:for-each select="d:Name">
      <ram:Name><xsl:value-of select="."/></ram:Name>
    </xsl:for-each>
    <xsl:for-each select="d:TypeCode">
      <ram:TypeCode><xsl:value-of select="."/></ram:TypeCode>
    </xsl:for-each>
    <xsl:for-each select="d:Address">
      <ram:SpecifiedSPSAddress>
        <xsl:for-each select="d:Line">
          <xsl:choose>
            <xsl:when test="position() = 1"><ram:LineOne><xsl:value-of select="."/></ram:LineOne></xsl:when>
            <xsl:when test="position() = 2"><ram:LineTwo><xsl:value-of select="."/></ram:LineTwo></xsl:when>
            <xsl:when test="position() = 3"><ram:LineThree><xsl:value-of select="."/></ram:LineThree></xsl:when>
            <xsl:when test="position() = 4"><ram:LineFour><xsl:value-of select="."/></ram:LineFour></xsl:when>
            <xsl:otherwise><ram:LineFive><xsl:value-of select="."/></ram:LineFive></xsl:otherwise>
          </xsl:choose>
        </xsl:for-each>
      </ram:SpecifiedSPSAddress>
    </xsl:for-each>
  </xsl:template>

  <xsl:template match="*" mode="country">
    <xsl:for-each select="d:Code">
      <ram:ID><xsl:value-of select="."/></ram:ID>
    </xsl:for-each>
    <xsl:for-each select="d:Name">
      <ram:Name><xsl:value-of select="."/></ram:Name>
    </xsl:for-each>
  </xsl:template>

  <xsl:template match="d:Transport">
    <ram:MainCarriageSPSTransportMovement>
      <xsl:for-each select="d:Reference">
        <ram:ID><xsl:value-of select="."/></ram:ID>
      </xsl:for-each>
      <ram:ModeCode><xsl:value-of select="d:ModeCode"/></ram:ModeCode>
      <xsl:for-each select="d:MeansName">
        <ram:UsedSPSTransportMeans>
          <ram:Name><xsl:value-of select="."/></ram:Name>
        </ram:UsedSPSTransportMeans>
      </xsl:for-each>
    </ram:MainCarriageSPSTransportMovement>
  </xsl:template>

  <!-- The hub's schema declares both IDs here without a namespace
       (form="unqualified"), unlike every other element. -->
  <xsl:template match="d:TransportEquipment">
    <ram:UtilizedSPSTransportEquipment>
      <xsl:for-each select="d:EquipmentId">
        <ID><xsl:value-of select="."/></ID>
      </xsl:for-each>
      <xsl:for-each select="d:SealId">
        <ram:AffixedSPSSeal>
          <ID><xsl:value-of select="."/></ID>
        </ram:AffixedSPSSeal>
      </xsl:for-each>
    </ram:UtilizedSPSTransportEquipment>
  </xsl:template>

  <!-- ===== IncludedSPSTradeLineItem ===== -->

  <xsl:template match="d:Item">
    <ram:IncludedSPSTradeLineItem>
      <ram:SequenceNumeric><xsl:value-of select="d:SequenceNumber"/></ram:SequenceNumeric>
      <xsl:for-each select="d:Description">
        <ram:Description><xsl:apply-templates select="." mode="text"/></ram:Description>
      </xsl:for-each>
      <xsl:for-each select="d:CommonName">
        <ram:CommonName><xsl:apply-templates select="." mode="text"/></ram:CommonName>
      </xsl:for-each>
      <xsl:for-each select="d:ScientificName">
        <ram:ScientificName><xsl:apply-templates select="." mode="text"/></ram:ScientificName>
      </xsl:for-each>
      <xsl:for-each select="d:IntendedUse">
        <ram:IntendedUse><xsl:apply-templates select="." mode="text"/></ram:IntendedUse>
      </xsl:for-each>
      <xsl:for-each select="d:NetWeight">
        <ram:NetWeightMeasure><xsl:apply-templates select="." mode="measure"/></ram:NetWeightMeasure>
      </xsl:for-each>
      <xsl:for-each select="d:GrossWeight">
        <ram:GrossWeightMeasure><xsl:apply-templates select="." mode="measure"/></ram:GrossWeightMeasure>
      </xsl:for-each>
      <xsl:for-each select="d:NetVolume">
        <ram:NetVolumeMeasure><xsl:apply-templates select="." mode="measure"/></ram:NetVolumeMeasure>
      </xsl:for-each>
      <xsl:for-each select="d:GrossVolume">
        <ram:GrossVolumeMeasure><xsl:apply-templates select="." mode="measure"/></ram:GrossVolumeMeasure>
      </xsl:for-each>
      <xsl:for-each select="d:Note">
        <ram:AdditionalInformationSPSNote>
          <xsl:for-each select="d:Subject">
            <ram:Subject><xsl:value-of select="."/></ram:Subject>
          </xsl:for-each>
          <xsl:for-each select="d:Content">
            <ram:Content><xsl:apply-templates select="." mode="text"/></ram:Content>
          </xsl:for-each>
        </ram:AdditionalInformationSPSNote>
      </xsl:for-each>
      <xsl:for-each select="d:Classification">
        <ram:ApplicableSPSClassification>
          <xsl:for-each select="d:SystemName">
            <ram:SystemName><xsl:value-of select="."/></ram:SystemName>
          </xsl:for-each>
          <xsl:for-each select="d:ClassCode">
            <ram:ClassCode><xsl:value-of select="."/></ram:ClassCode>
          </xsl:for-each>
          <xsl:for-each select="d:ClassName">
            <ram:ClassName><xsl:apply-templates select="." mode="text"/></ram:ClassName>
          </xsl:for-each>
        </ram:ApplicableSPSClassification>
      </xsl:for-each>
      <xsl:for-each select="d:Package">
        <ram:PhysicalSPSPackage>
          <ram:LevelCode><xsl:value-of select="d:LevelCode"/></ram:LevelCode>
          <xsl:for-each select="d:TypeCode">
            <ram:TypeCode><xsl:value-of select="."/></ram:TypeCode>
          </xsl:for-each>
          <ram:ItemQuantity><xsl:value-of select="d:Quantity"/></ram:ItemQuantity>
        </ram:PhysicalSPSPackage>
      </xsl:for-each>
      <xsl:for-each select="d:OriginCountry">
        <ram:OriginSPSCountry>
          <xsl:apply-templates select="." mode="country"/>
          <xsl:for-each select="d:Region">
            <ram:SubordinateSPSCountrySubDivision>
              <xsl:for-each select="d:Name">
                <ram:Name><xsl:value-of select="."/></ram:Name>
              </xsl:for-each>
              <xsl:for-each select="d:LevelCode">
                <ram:HierarchicalLevelCode><xsl:value-of select="."/></ram:HierarchicalLevelCode>
              </xsl:for-each>
            </ram:SubordinateSPSCountrySubDivision>
          </xsl:for-each>
        </ram:OriginSPSCountry>
      </xsl:for-each>
      <xsl:apply-templates select="d:Treatment"/>
    </ram:IncludedSPSTradeLineItem>
  </xsl:template>

  <xsl:template match="d:Treatment">
    <ram:AppliedSPSProcess>
      <xsl:for-each select="d:TypeCode">
        <ram:TypeCode><xsl:value-of select="."/></ram:TypeCode>
      </xsl:for-each>
      <xsl:if test="d:StartDateTime | d:EndDateTime | d:Duration">
        <ram:CompletionSPSPeriod>
          <xsl:for-each select="d:StartDateTime">
            <ram:StartDateTime><xsl:apply-templates select="." mode="date-time"/></ram:StartDateTime>
          </xsl:for-each>
          <xsl:for-each select="d:EndDateTime">
            <ram:EndDateTime><xsl:apply-templates select="." mode="date-time"/></ram:EndDateTime>
          </xsl:for-each>
          <xsl:for-each select="d:Duration">
            <ram:DurationMeasure><xsl:apply-templates select="." mode="measure"/></ram:DurationMeasure>
          </xsl:for-each>
        </ram:CompletionSPSPeriod>
      </xsl:if>
      <xsl:for-each select="d:Characteristic">
        <ram:ApplicableSPSProcessCharacteristic>
          <xsl:for-each select="d:Description">
            <ram:Description><xsl:apply-templates select="." mode="text"/></ram:Description>
          </xsl:for-each>
          <xsl:for-each select="d:Value">
            <ram:ValueMeasure><xsl:apply-templates select="." mode="measure"/></ram:ValueMeasure>
          </xsl:for-each>
        </ram:ApplicableSPSProcessCharacteristic>
      </xsl:for-each>
    </ram:AppliedSPSProcess>
  </xsl:template>

  <!-- ===== Value helpers (content and attributes of the current element) ===== -->

  <!-- Text with an optional language: @language -> @languageID. -->
  <xsl:template match="*" mode="text">
    <xsl:if test="@language">
      <xsl:attribute name="languageID"><xsl:value-of select="@language"/></xsl:attribute>
    </xsl:if>
    <xsl:value-of select="."/>
  </xsl:template>

  <xsl:template match="*" mode="measure">
    <xsl:attribute name="unitCode"><xsl:value-of select="@unitCode"/></xsl:attribute>
    <xsl:value-of select="."/>
  </xsl:template>

  <xsl:template match="*" mode="date-time">
    <udt:DateTimeString><xsl:value-of select="."/></udt:DateTimeString>
  </xsl:template>

</xsl:stylesheet>
